/**
 * From an index pattern to the schema groups to query: one `_mapping` call, detection per backing
 * index, and a clear error when nothing readable is there. Cached per data source and pattern.
 */
import type { MappingResponse } from '../engine/client';
import { describeUnknown, type Resolution, resolveSchemas } from '../proto/detect';
import type { FieldOverrides, SchemaSetting } from '../types';

export interface MappingSource {
  mapping(indices: string): Promise<MappingResponse>;
  readonly description: string;
}

/** A problem with the data source's configuration or data, phrased for the user. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

export async function resolvePattern(source: MappingSource, pattern: string, setting: SchemaSetting, overrides?: FieldOverrides): Promise<Resolution> {
  if (pattern.trim() === '') {
    throw new QueryError('no span index pattern is given: set "Span index pattern" in the data source settings, or --index on the command line (for example traces-*)');
  }
  const mappings = checkedMappings(await source.mapping(pattern), source, pattern);
  if (Object.keys(mappings).length === 0) {
    throw new QueryError(`index pattern '${pattern}' matches no index on ${source.description}: check "Span index pattern" in the data source settings, or --index on the command line`);
  }
  let resolution: Resolution;
  try {
    resolution = resolveSchemas(pattern, mappings, setting, overrides);
  } catch (error) {
    throw new QueryError((error as Error).message);
  }
  if (resolution.groups.length === 0) {
    throw new QueryError(describeUnknown(resolution, setting));
  }
  return resolution;
}

/**
 * A `_mapping` answer, or an error saying the URL is not an engine: index name -> `{ mappings }`
 * is the only shape Elasticsearch and OpenSearch give (JSON from anything else would otherwise be
 * read as indices with no fields).
 */
export function checkedMappings(answer: unknown, source: { description: string }, pattern: string): MappingResponse {
  const entries = answer && typeof answer === 'object' && !Array.isArray(answer) ? Object.values(answer) : undefined;
  const isMapping = (entry: unknown) => !!entry && typeof entry === 'object' && 'mappings' in entry && typeof (entry as { mappings: unknown }).mappings === 'object';
  if (!entries || !entries.every(isMapping)) {
    throw new QueryError(`${source.description} answered the mapping request for '${pattern}' with JSON that is not an index mapping: is this URL an Elasticsearch or OpenSearch endpoint (not Kibana, OpenSearch Dashboards or another service)?`);
  }
  return answer as MappingResponse;
}

/** Promises kept for a while by key; a rejected one is forgotten so the next call tries again. */
export class ExpiringCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now
  ) {}

  get(key: string, make: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.at < this.ttlMs) {
      return entry.value;
    }
    const value = make();
    this.entries.set(key, { at: this.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Detection results kept for a while; a mapping change is picked up when the entry expires. */
export class ResolutionCache {
  private readonly cache: ExpiringCache<Resolution>;

  constructor(ttlMs?: number, now?: () => number) {
    this.cache = new ExpiringCache(ttlMs, now);
  }

  get(source: MappingSource, pattern: string, setting: SchemaSetting, overrides?: FieldOverrides): Promise<Resolution> {
    return this.cache.get(`${setting}\u0000${pattern}\u0000${JSON.stringify(overrides ?? {})}`, () => resolvePattern(source, pattern, setting, overrides));
  }

  clear(): void {
    this.cache.clear();
  }
}
