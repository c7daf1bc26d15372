import { cancelledError, EngineError, notAnEngineError } from './errors';
import type { EngineRequest, EngineTransport } from './transport';

export type JsonObject = Record<string, unknown>;

export interface SearchHit {
  _index: string;
  _id: string;
  _source?: JsonObject;
  sort?: unknown[];
}

export interface ShardFailure {
  index?: string;
  shard?: number;
  reason?: { type?: string; reason?: string };
}

export interface SearchResponse {
  took?: number;
  timed_out?: boolean;
  _shards?: { total: number; successful: number; skipped?: number; failed: number; failures?: ShardFailure[] };
  hits?: { total?: { value: number; relation: string } | number; hits?: SearchHit[] };
  aggregations?: JsonObject;
}

export interface EngineInfo {
  distribution: 'opensearch' | 'elasticsearch';
  version: string;
  major: number;
  minor: number;
  /** e.g. `OpenSearch 2.19.1`. */
  label: string;
}

/** Index name -> its mapping, as `GET <pattern>/_mapping` answers. */
export type MappingResponse = Record<string, { mappings?: JsonObject }>;

export interface BulkResult {
  took: number;
  errors: boolean;
  items: Array<Record<string, { _index: string; status: number; error?: { type?: string; reason?: string } }>>;
}

const SEARCH_FILTER_PATH = 'took,timed_out,_shards,hits.total,hits.hits._index,hits.hits._id,hits.hits._source,hits.hits.sort,aggregations';

/** Typed engine operations on top of a transport. Index patterns are URL-encoded part by part. */
export class EngineClient {
  constructor(
    readonly transport: EngineTransport,
    /** Once aborted, every request of this client rejects at once with EngineError 'cancelled'. */
    readonly signal?: AbortSignal
  ) {}

  private readonly shardCountCache = new Map<string, Promise<Map<string, number>>>();

  get description(): string {
    return this.transport.description;
  }

  /**
   * The same engine, for one query that may be cancelled: aborting `signal` cancels the request in
   * flight and makes every later one reject at once without being sent, so paging loops stop.
   */
  withSignal(signal: AbortSignal): EngineClient {
    const transport = this.transport;
    return new EngineClient(
      {
        description: transport.description,
        request<T>(request: EngineRequest): Promise<T> {
          return signal.aborted ? Promise.reject(cancelledError(transport.description)) : transport.request<T>({ ...request, signal });
        },
      },
      signal
    );
  }

  async info(): Promise<EngineInfo> {
    const body = await this.transport.request<{ version?: { number?: string; distribution?: string } }>({ method: 'GET', path: '/' });
    const version = body.version?.number;
    if (!version) {
      throw new EngineError('bad_response', `${this.description} does not look like Elasticsearch or OpenSearch: its root answer has no version number`);
    }
    const [major, minor] = version.split('.').map((part) => parseInt(part, 10));
    const distribution = body.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
    return { distribution, version, major, minor, label: `${distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version}` };
  }

  /** Search one or more index patterns; missing indices in a list are ignored, an empty match is not an error. */
  search(indices: string, body: JsonObject): Promise<SearchResponse> {
    return handled(this.checkedSearch(indices, body, ''));
  }

  /**
   * `search` on some shards of every index only (`preference=_shards:…`): the shards numbered
   * `shards` of each index that has them; an index with fewer shards takes part with those it has.
   */
  searchShards(indices: string, body: JsonObject, shards: number[]): Promise<SearchResponse> {
    return handled(this.checkedSearch(indices, body, `&preference=${encodeURIComponent(`_shards:${shards.join(',')}`)}`));
  }

  /**
   * How many primary shards each index of a list has: one `_settings` request, then remembered by
   * this client (a shard count never changes for the life of an index; callers check the counts
   * against the shards a search reports, for an index deleted and created again meanwhile).
   */
  shardCounts(indices: string): Promise<Map<string, number>> {
    let counts = this.shardCountCache.get(indices);
    if (!counts) {
      counts = this.fetchShardCounts(indices);
      this.shardCountCache.set(indices, counts);
      counts.catch(() => this.shardCountCache.delete(indices));
    }
    return counts;
  }

  private async fetchShardCounts(indices: string): Promise<Map<string, number>> {
    const path = `/${encodeIndices(indices)}/_settings/index.number_of_shards?ignore_unavailable=true&allow_no_indices=true&filter_path=*.settings.index.number_of_shards`;
    const response = await this.transport.request<Record<string, { settings?: { index?: { number_of_shards?: unknown } } }>>({ method: 'GET', path });
    if (!isObject(response)) {
      throw notAnEngineError(this.description, 'GET', path, "'number_of_shards' for each index");
    }
    const counts = new Map<string, number>();
    for (const [index, entry] of Object.entries(response)) {
      const count = Number(entry?.settings?.index?.number_of_shards);
      if (!Number.isInteger(count) || count < 1) {
        throw notAnEngineError(this.description, 'GET', path, "'number_of_shards' for each index");
      }
      counts.set(index, count);
    }
    return counts;
  }

  private async checkedSearch(indices: string, body: JsonObject, parameters: string): Promise<SearchResponse> {
    const path = `/${encodeIndices(indices)}/_search?ignore_unavailable=true&allow_no_indices=true&filter_path=${SEARCH_FILTER_PATH}${parameters}`;
    const response = await this.transport.request<SearchResponse>({ method: 'POST', path, body });
    // Every engine answer keeps `took` and `_shards` through this filter_path; an answer with neither is not an engine's.
    if (!isObject(response) || !(typeof response.took === 'number' || isObject(response._shards) || isObject(response.hits))) {
      throw notAnEngineError(this.description, 'POST', path, "'took', '_shards' or 'hits'");
    }
    return response;
  }

  /** The mapping of every index a pattern matches; `{}` when the pattern matches nothing. */
  async mapping(indices: string): Promise<MappingResponse> {
    const path = `/${encodeIndices(indices)}/_mapping?allow_no_indices=true&ignore_unavailable=true`;
    const response = await this.transport.request<MappingResponse>({ method: 'GET', path });
    if (!isObject(response) || !Object.values(response).every((entry) => isObject(entry) && isObject(entry.mappings))) {
      throw notAnEngineError(this.description, 'GET', path, "'mappings' for each index");
    }
    return response;
  }

  async indexExists(index: string): Promise<boolean> {
    return Object.keys(await this.mapping(index)).length > 0;
  }

  createIndex(index: string, body: JsonObject): Promise<unknown> {
    return this.transport.request({ method: 'PUT', path: `/${encodeIndices(index)}`, body });
  }

  /** Newline-delimited bulk body; the caller inspects per-item errors. */
  bulk(ndjson: string): Promise<BulkResult> {
    return this.transport.request<BulkResult>({ method: 'POST', path: '/_bulk', body: ndjson, contentType: 'application/x-ndjson' });
  }

  refresh(indices: string): Promise<unknown> {
    return this.transport.request({ method: 'POST', path: `/${encodeIndices(indices)}/_refresh?ignore_unavailable=true&allow_no_indices=true` });
  }

  deleteIndex(indices: string): Promise<unknown> {
    return this.transport.request({ method: 'DELETE', path: `/${encodeIndices(indices)}?ignore_unavailable=true&allow_no_indices=true` });
  }

  /** Write one document under an id, visible to the next search. */
  putDocument(index: string, id: string, document: JsonObject): Promise<unknown> {
    return this.transport.request({ method: 'PUT', path: `/${encodeIndices(index)}/_doc/${encodeURIComponent(id)}?refresh=true`, body: document });
  }

  /** One document by id, or undefined when it (or its index) is not there. */
  async getDocument(index: string, id: string): Promise<JsonObject | undefined> {
    const hits = await this.search(index, { size: 1, query: { ids: { values: [id] } } });
    return hits.hits?.hits?.[0]?._source;
  }

  clusterHealth(): Promise<{ status: string; number_of_nodes: number; cluster_name: string }> {
    return this.transport.request({ method: 'GET', path: '/_cluster/health' });
  }
}

/**
 * A page asked for ahead (fetchTrace) may fail or be cancelled while the previous page is being
 * read: its caller gets the rejection when it awaits it, and Node sees no unhandled rejection.
 */
function handled<T>(answer: Promise<T>): Promise<T> {
  answer.catch(() => undefined);
  return answer;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Encode each part of a comma-separated index list, keeping the commas and wildcards readable. */
export function encodeIndices(indices: string): string {
  return indices
    .split(',')
    .map((part) => encodeURIComponent(part.trim()))
    .filter((part) => part !== '')
    .join(',');
}

/** Total hits whatever the engine's format (number in old engines, object in new ones). */
export function totalHits(response: SearchResponse): number {
  const total = response.hits?.total;
  return typeof total === 'number' ? total : (total?.value ?? 0);
}

/** Warnings a user should see when an answer is incomplete: failed shards, a timeout. */
export function incompleteAnswerWarnings(response: SearchResponse): string[] {
  const warnings: string[] = [];
  const shards = response._shards;
  if (shards && shards.failed > 0) {
    const reasons = [...new Set((shards.failures ?? []).map((f) => `${f.index ?? '?'}: ${f.reason?.reason ?? f.reason?.type ?? 'unknown'}`))];
    warnings.push(`${shards.failed} of ${shards.total} shards failed, so results may be incomplete (${reasons.slice(0, 3).join('; ')})`);
  }
  if (response.timed_out) {
    warnings.push('the engine timed out part of the search, so results may be incomplete');
  }
  return warnings;
}
