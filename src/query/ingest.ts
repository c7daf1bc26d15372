/**
 * Writing OTLP data the way a producer would: the producer's indices (with its mapping where it
 * installs one), documents in the schema's shape, `_bulk` in chunks, then a refresh. The engine is
 * injected; what failed is counted and named, never dropped silently.
 */
import type { BulkResult, EngineClient, EngineInfo } from '../engine/client';
import type { LogicalLogRecord, LogicalSpan } from '../proto/model';
import { findLogSchema, LOG_SCHEMAS } from '../proto/logDetect';
import type { IndexSetup, MappingStyle, SpanSchema, WrittenDocument } from '../proto/schema';

export interface IngestOptions {
  schema: SpanSchema;
  index: string;
  spans: LogicalSpan[];
  logs: LogicalLogRecord[];
  mapping?: MappingStyle;
  /** Shards and replicas of the indices this ingest creates (the engine's defaults otherwise). */
  shards?: number;
  replicas?: number;
  /** Documents per bulk request. */
  chunkSize?: number;
}

export interface IngestReport {
  index: string;
  schema: string;
  engine: string;
  mapping: MappingStyle;
  indicesCreated: string[];
  spans: number;
  logs: number;
  documents: number;
  written: number;
  failed: number;
  errors: string[];
}

type IngestClient = Pick<EngineClient, 'info' | 'indexExists' | 'createIndex' | 'bulk' | 'refresh'>;

const INDEX_NAME = /^[a-z0-9][a-z0-9._-]*$/;

export function validateIndexName(index: string): void {
  if (!INDEX_NAME.test(index) || index.length > 200) {
    throw new Error(`'${index}' is not a valid index name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit`);
  }
}

/** The `_bulk` body for documents: `create` works for plain indices and data streams alike. */
export function bulkBody(documents: WrittenDocument[]): string {
  let body = '';
  for (const { index, document } of documents) {
    body += `${JSON.stringify({ create: { _index: index } })}\n${JSON.stringify(document)}\n`;
  }
  return body;
}

function bulkFailures(result: BulkResult): string[] {
  if (!result.errors) {
    return [];
  }
  const failures: string[] = [];
  for (const item of result.items) {
    const outcome = Object.values(item)[0];
    if (outcome?.error) {
      failures.push(`${outcome._index}: ${outcome.error.type ?? 'error'}: ${outcome.error.reason ?? ''}`);
    }
  }
  return failures;
}

/** Create the indices that will receive documents, as the producer would on its first write. */
async function createMissingIndices(client: IngestClient, setups: IndexSetup[], used: Set<string>): Promise<string[]> {
  const created: string[] = [];
  const seen = new Set<string>();
  for (const setup of setups) {
    // The span schema's setup of an index comes first and wins (the otel logs index holds span events too).
    if (seen.has(setup.index)) {
      continue;
    }
    seen.add(setup.index);
    if (used.has(setup.index) && !(await client.indexExists(setup.index))) {
      await client.createIndex(setup.index, setup.body);
      created.push(setup.index);
    }
  }
  return created;
}

export async function ingest(client: IngestClient, options: IngestOptions): Promise<IngestReport> {
  validateIndexName(options.index);
  const info: EngineInfo = await client.info();
  const style = options.mapping ?? options.schema.producerMapping(info);
  const logSchema = options.logs.length > 0 ? findLogSchema(options.schema.name) : undefined;
  if (options.logs.length > 0 && !logSchema) {
    throw new Error(`schema '${options.schema.name}' has no log layout (its producer keeps no logs): ingest the ${options.logs.length} log records with a schema that stores logs (${LOG_SCHEMAS.map((schema) => schema.name).join(', ')})`);
  }
  const documents = [...options.schema.writeSpans(options.spans, options.index), ...(logSchema?.writeLogs(options.logs, options.index) ?? [])];
  const setups = [...options.schema.indexSetups(options.index, style), ...(logSchema?.indexSetups(options.index, options.mapping ?? logSchema.producerMapping(info)) ?? [])];
  const layout = { ...(options.shards ? { number_of_shards: options.shards } : {}), ...(options.replicas !== undefined ? { number_of_replicas: options.replicas } : {}) };
  const sized = Object.keys(layout).length === 0 ? setups : setups.map((setup) => ({ ...setup, body: { ...setup.body, settings: { ...(setup.body.settings as object | undefined), index: layout } } }));
  const indicesCreated = await createMissingIndices(client, sized, new Set(documents.map((d) => d.index)));
  const chunkSize = options.chunkSize ?? 5_000;
  const errors: string[] = [];
  for (let i = 0; i < documents.length; i += chunkSize) {
    const result = await client.bulk(bulkBody(documents.slice(i, i + chunkSize)));
    errors.push(...bulkFailures(result));
  }
  await client.refresh(`${options.index}*`);
  return {
    index: options.index,
    schema: options.schema.name,
    engine: info.label,
    mapping: style,
    indicesCreated,
    spans: options.spans.length,
    logs: options.logs.length,
    documents: documents.length,
    written: documents.length - errors.length,
    failed: errors.length,
    errors: errors.slice(0, 10),
  };
}
