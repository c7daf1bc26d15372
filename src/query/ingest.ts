/**
 * Writing OTLP data the way a producer would: the producer's indices (with its mapping where it
 * installs one), documents in the schema's shape, `_bulk` in chunks, then a refresh. The engine is
 * injected; what failed is counted and named, never dropped silently. Every document has an id of
 * its own, so ingesting the same data twice stores it once.
 */
import type { BulkResult, EngineClient, EngineInfo } from '../engine/client';
import type { LogicalLogRecord, LogicalSpan } from '../proto/model';
import { findLogSchema, LOG_SCHEMAS } from '../proto/logDetect';
import type { LogSchema } from '../proto/logSchema';
import type { IndexSetup, MappingStyle, SpanSchema, WrittenDocument } from '../proto/schema';

export interface IngestTarget {
  schema: SpanSchema;
  index: string;
  mapping?: MappingStyle;
  /** Shards and replicas of the indices this ingest creates (the engine's defaults otherwise). */
  shards?: number;
  replicas?: number;
  /** Documents per bulk request. */
  chunkSize?: number;
  /**
   * Leave ids to the engine, as the Collector's exporter does: writing the same spans twice then
   * stores them twice, like an exporter's retry (for tests of how readers show such copies).
   */
  engineIds?: boolean;
}

export interface IngestOptions extends IngestTarget {
  spans: LogicalSpan[];
  logs: LogicalLogRecord[];
}

/** Spans and log records converted together (schemas such as data-prepper look across a trace's spans). */
export interface IngestBatch {
  spans: LogicalSpan[];
  logs: LogicalLogRecord[];
  /** Where each log record came from (file position, list index): logs have no id of their own, so this keeps theirs stable. */
  logKeys?: string[];
}

export interface StreamIngestOptions extends IngestTarget {
  batches: AsyncIterable<IngestBatch> | Iterable<IngestBatch>;
  /** How many log records the batches hold, known before the first write (a schema without logs then fails first). */
  logRecords: number;
}

export interface IngestReport {
  index: string;
  schema: string;
  engine: string;
  mapping: MappingStyle;
  indicesCreated: string[];
  /** Targets an index template makes data streams of: created by their first document, never by ingest. */
  dataStreams: string[];
  spans: number;
  logs: number;
  documents: number;
  /** Documents stored by this run. */
  written: number;
  /** Documents whose id was already stored (an earlier ingest of the same data): left as they were. */
  alreadyPresent: number;
  failed: number;
  errors: string[];
  warnings: string[];
}

type IngestClient = Pick<EngineClient, 'info' | 'indexExists' | 'createIndex' | 'bulk' | 'refresh'>;

const INDEX_NAME = /^[a-z0-9][a-z0-9._-]*$/;

export function validateIndexName(index: string): void {
  if (!INDEX_NAME.test(index) || index.length > 200) {
    throw new Error(`'${index}' is not a valid index name: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit`);
  }
}

/** A document with the id that makes writing it again a no-op. */
export interface IdentifiedDocument extends WrittenDocument {
  id: string;
}

/**
 * The `_bulk` body: `create` with the document's own id, which works for plain indices and data
 * streams alike (data streams take no `index` with an id) and never overwrites: a second ingest of
 * the same data gets 409 conflicts, counted as already present.
 */
export function bulkBody(documents: IdentifiedDocument[], engineIds = false): string {
  let body = '';
  for (const { index, id, document } of documents) {
    body += `${JSON.stringify({ create: engineIds ? { _index: index } : { _index: index, _id: id } })}\n${JSON.stringify(document)}\n`;
  }
  return body;
}

/**
 * A span's documents are named by the span's identity, whatever the schema: trace id, span id and
 * start, then the document's place among the span's documents (otel keeps events apart).
 */
export function spanDocumentId(span: LogicalSpan, ordinal: number): string {
  const id = `${span.traceId}-${span.spanId}-${span.startTimeUnixNano}`;
  return ordinal === 0 ? id : `${id}-${ordinal}`;
}

/** A log record has no identity of its own: a hash of its content and of its place in the input. */
export function logDocumentId(record: LogicalLogRecord, key: string): string {
  return `log-${hash128(`${key}\n${JSON.stringify(record, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`)}`;
}

/** 128 bits from four 32-bit lanes (cyrb128): no collision in practice among one index's log records, and pure. */
function hash128(text: string): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}

/** The schema's documents for a batch of spans, each with its id. */
export function identifiedSpanDocuments(schema: SpanSchema, spans: LogicalSpan[], index: string): IdentifiedDocument[] {
  const documents = schema.writeSpans(spans, index);
  if (documents.length === spans.length) {
    // One document per span, in order: every writer that looks across spans (data-prepper, elastic-apm) is one of these.
    return documents.map((document, i) => ({ ...document, id: spanDocumentId(spans[i], 0) }));
  }
  return spans.flatMap((span) => schema.writeSpans([span], index).map((document, ordinal) => ({ ...document, id: spanDocumentId(span, ordinal) })));
}

function identifiedLogDocuments(logSchema: LogSchema, records: LogicalLogRecord[], keys: string[], index: string): IdentifiedDocument[] {
  const documents = logSchema.writeLogs(records, index);
  if (documents.length !== records.length) {
    throw new Error(`the ${logSchema.name} log layout wrote ${documents.length} documents for ${records.length} log records`);
  }
  return documents.map((document, i) => ({ ...document, id: logDocumentId(records[i], keys[i]) }));
}

interface BulkOutcome {
  written: number;
  alreadyPresent: number;
  failures: string[];
}

function bulkOutcome(result: BulkResult, sent: number): BulkOutcome {
  const outcome: BulkOutcome = { written: sent, alreadyPresent: 0, failures: [] };
  if (!result.errors) {
    return outcome;
  }
  for (const item of result.items) {
    const status = Object.values(item)[0];
    if (status?.status === 409) {
      outcome.alreadyPresent++;
      outcome.written--;
    } else if (status?.error) {
      outcome.failures.push(`${status._index}: ${status.error.type ?? 'error'}: ${status.error.reason ?? ''}`);
      outcome.written--;
    }
  }
  return outcome;
}
/** Create the indices that will receive documents, as the producer would on its first write. */
async function createMissingIndices(client: IngestClient, setups: IndexSetup[], used: Set<string>, report: IngestReport): Promise<void> {
  const seen = new Set<string>();
  for (const setup of setups) {
    // The span schema's setup of an index comes first and wins (the otel logs index holds span events too).
    if (seen.has(setup.index)) {
      continue;
    }
    seen.add(setup.index);
    if (used.has(setup.index) && !(await client.indexExists(setup.index))) {
      try {
        await client.createIndex(setup.index, setup.body);
        report.indicesCreated.push(setup.index);
      } catch (error) {
        // An index template makes this name a data stream: the first `create` in the bulk makes it.
        if (!/creates data streams only/.test((error as Error).message)) {
          throw error;
        }
        report.dataStreams.push(setup.index);
      }
    }
  }
}

/** The log layout for a schema, or a message before any write when the schema keeps no logs. */
function logSchemaFor(schema: SpanSchema, logRecords: number): LogSchema | undefined {
  if (logRecords === 0) {
    return undefined;
  }
  const logSchema = findLogSchema(schema.name);
  if (!logSchema) {
    throw new Error(`schema '${schema.name}' has no log layout (its producer keeps no logs): ingest the ${logRecords} log records with a schema that stores logs (${LOG_SCHEMAS.map((known) => known.name).join(', ')})`);
  }
  return logSchema;
}

/** Schemas whose documents depend on the other spans of the trace written with them. */
const TRACE_CONTEXT_SCHEMAS: Record<string, string> = { 'data-prepper': 'traceGroup (the root span\'s name)', 'elastic-apm': 'transaction.id (the enclosing transaction)' };

/** Whether a trace's spans must reach the schema's writer in one batch (batches are then cut between traces). */
export function needsWholeTraces(schema: SpanSchema): boolean {
  return TRACE_CONTEXT_SCHEMAS[schema.name] !== undefined;
}

/**
 * Write batches as the schema's producer would: the producer's indices are created (with its
 * mapping where it installs one) on the first document that goes to each, documents are sent in
 * `_bulk` chunks with ids that make a repeated ingest a no-op, then the indices are refreshed.
 * Memory holds one batch.
 */
export async function ingestBatches(client: IngestClient, options: StreamIngestOptions): Promise<IngestReport> {
  validateIndexName(options.index);
  const info: EngineInfo = await client.info();
  const style = options.mapping ?? options.schema.producerMapping(info);
  const logSchema = logSchemaFor(options.schema, options.logRecords);
  const setups = [...options.schema.indexSetups(options.index, style), ...(logSchema?.indexSetups(options.index, options.mapping ?? logSchema.producerMapping(info)) ?? [])];
  const layout = { ...(options.shards ? { number_of_shards: options.shards } : {}), ...(options.replicas !== undefined ? { number_of_replicas: options.replicas } : {}) };
  const sized = Object.keys(layout).length === 0 ? setups : setups.map((setup) => ({ ...setup, body: { ...setup.body, settings: { ...(setup.body.settings as object | undefined), index: layout } } }));
  const chunkSize = options.chunkSize ?? 5_000;
  const report: IngestReport = { index: options.index, schema: options.schema.name, engine: info.label, mapping: style, indicesCreated: [], dataStreams: [], spans: 0, logs: 0, documents: 0, written: 0, alreadyPresent: 0, failed: 0, errors: [], warnings: [] };
  const checkedIndices = new Set<string>();
  const contextField = TRACE_CONTEXT_SCHEMAS[options.schema.name];
  const tracesInEarlierBatches = new Set<string>();
  const splitTraces = new Set<string>();
  let batchNumber = 0;
  for await (const batch of options.batches) {
    if (batch.logs.length > 0 && !logSchema) {
      logSchemaFor(options.schema, batch.logs.length);
    }
    const documents = [...identifiedSpanDocuments(options.schema, batch.spans, options.index), ...(logSchema ? identifiedLogDocuments(logSchema, batch.logs, batch.logKeys ?? batch.logs.map((_, i) => `${batchNumber}:${i}`), options.index) : [])];
    await createMissingIndices(client, sized, new Set(documents.map((d) => d.index).filter((index) => !checkedIndices.has(index))), report);
    documents.forEach((d) => checkedIndices.add(d.index));
    for (let i = 0; i < documents.length; i += chunkSize) {
      const chunk = documents.slice(i, i + chunkSize);
      const outcome = bulkOutcome(await client.bulk(bulkBody(chunk, options.engineIds)), chunk.length);
      report.written += outcome.written;
      report.alreadyPresent += outcome.alreadyPresent;
      report.failed += outcome.failures.length;
      report.errors.push(...outcome.failures.slice(0, 10 - report.errors.length));
    }
    if (contextField) {
      const traces = new Set(batch.spans.map((span) => span.traceId));
      traces.forEach((trace) => (tracesInEarlierBatches.has(trace) ? splitTraces.add(trace) : tracesInEarlierBatches.add(trace)));
    }
    report.spans += batch.spans.length;
    report.logs += batch.logs.length;
    report.documents += documents.length;
    batchNumber++;
  }
  if (splitTraces.size > 0) {
    report.warnings.push(`${splitTraces.size} traces came in more than one batch: their ${options.schema.name} ${contextField} was worked out from the spans of each batch alone; keep each trace's spans together in one file`);
  }
  await client.refresh(`${options.index}*`);
  return report;
}

/** Spans and log records held in memory, written as one batch (bulk requests are still chunked). */
export function ingest(client: IngestClient, options: IngestOptions): Promise<IngestReport> {
  const { spans, logs, ...target } = options;
  return ingestBatches(client, { ...target, logRecords: logs.length, batches: [{ spans, logs }] });
}
