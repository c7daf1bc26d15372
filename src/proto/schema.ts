/**
 * The contract every storage schema file fulfils: where each logical field lives, how to recognise
 * the schema from a mapping, and both directions of conversion. Query builders only ever ask a
 * schema for its facts; none of them names a field itself.
 */
import type { SchemaName } from '../types';
import type { FieldCatalog } from './fieldCatalog';
import type { LogicalSpan } from './model';

export type JsonObject = Record<string, unknown>;

/** A document as the engine returns it (a search hit). */
export interface StoredHit {
  _index: string;
  _id: string;
  _source?: JsonObject;
}

/** Logical field -> the dotted path that stores it. */
export interface SchemaPaths {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  serviceName: string;
  /** The stored start time. */
  start: string;
  duration?: string;
  statusCode: string;
  /** Other fields that hold the same fact in some documents (APM transactions vs spans, Data Prepper shapes). */
  alternates?: { serviceName?: string[]; name?: string[] };
}

/** A producer preset, or a layout described in the settings. */
export type SchemaId = SchemaName | 'custom';

export interface Detection {
  schema: SchemaId;
  /** Higher is more certain; 0 means the must-have fields are missing. */
  score: number;
  evidence: string[];
}

export interface ReadResult {
  spans: LogicalSpan[];
  /** Problems that concern the whole answer (e.g. documents skipped because they lack ids). */
  warnings: string[];
}

export interface WrittenDocument {
  /** Full index name (the schema decides the suffix for documents it keeps apart). */
  index: string;
  document: JsonObject;
}

export interface EngineFlavor {
  distribution: 'opensearch' | 'elasticsearch';
  major: number;
  minor: number;
}

/** An index the schema's producer would create, with its settings and mappings. */
export interface IndexSetup {
  index: string;
  body: JsonObject;
}

/** How the producer's documents end up mapped: by the engine's dynamic mapping, or by a template. */
export type MappingStyle = 'dynamic' | 'template';

export type TimeUnit = 'ns' | 'us' | 'ms';

/**
 * Where search finds what it filters and summarises. Data only: src/query/search.ts builds the
 * clauses, so every schema is searched by the same rules.
 */
export interface SearchFacts {
  /** Stored span durations with their unit (APM keeps transactions' and spans' apart). */
  durations: Array<{ field: string; unit: TimeUnit }>;
  /** The start time to aggregate and sort by: a date field, a number in `unit`, or otel "ms.ns" text. */
  start: { field: string; unit: TimeUnit | 'date' | 'otelMillisString' };
  /** A stored end time, where the producer keeps one: a date, or a number in `unit`. */
  end?: { field: string; unit?: TimeUnit };
  /**
   * How the status is kept: values of one field (typed as stored: numbers for numeric fields),
   * Jaeger's `error` / `otel.status_code` tags, or Zipkin's `_q` terms.
   */
  status: { style: 'field'; field: string; error: Array<string | number | boolean>; ok: Array<string | number | boolean> } | { style: 'jaeger' } | { style: 'zipkin' };
  /**
   * Where attribute keys live: mapped fields under prefixes (each with the key encoding the producer
   * applies, and key prefixes the producer adds that are not attributes), Jaeger's nested key/value tags, or Zipkin's `_q` `key=value` terms.
   */
  attributes: { style: 'fields'; prefixes: Array<{ prefix: string; encode?: (key: string) => string; decode?: (path: string) => string; notAttributes?: string[] }> } | { style: 'jaeger' } | { style: 'zipkin' };
  /**
   * Where the span kind is kept: one field holding the kind in any OTLP spelling (`server`,
   * `Server`, `SERVER`, `SPAN_KIND_SERVER` or the enum number; `missingIs` names the kind of spans
   * without it: Zipkin leaves internal spans' kind out), Jaeger's `span.kind` tag, or Elastic APM's
   * `span.kind` with the kind otherwise derived from the event and its type.
   */
  kind?: { style: 'field'; field: string; missingIs?: 'internal' } | { style: 'jaeger' } | { style: 'apm' };
  /**
   * Set where the producer stores service and span names lower-cased (Zipkin, with Java's
   * `toLowerCase(Locale.ROOT)`): a typed name is lower-cased before it is matched.
   */
  namesLowerCased?: true;
}

export interface SpanSchema {
  name: SchemaId;
  producer: string;
  paths: SchemaPaths;
  /**
   * Set when span events are documents of their own (found beside the spans, told apart by this
   * field existing); trace queries then fetch spans and events separately so the span cap counts spans.
   */
  eventDocumentField?: string;
  /**
   * Fields only log records have, for producers that keep logs in the indices span patterns also
   * cover (the otel exporter's `NAME-logs` holds span events and logs): such documents are neither
   * spans nor span events.
   */
  logRecordFields?: string[];
  detect(catalog: FieldCatalog): Detection;
  /**
   * A filter clause on the start time for this mapping, in epoch nanoseconds, or undefined when
   * the mapping cannot filter by time (the caller then warns).
   */
  timeRange(catalog: FieldCatalog, fromNs: bigint, toNs: bigint): JsonObject | undefined;
  /** Sort keys that give every document a stable place, for search_after paging. */
  pagingSort(catalog: FieldCatalog): JsonObject[];
  readHits(hits: StoredHit[]): ReadResult;
  /** With `eventDocumentField`: attach event documents fetched apart to the spans already read; returns warnings. */
  attachEvents?(spans: LogicalSpan[], eventHits: StoredHit[]): string[];
  /**
   * After every page of a trace is read (readHits sees one page at a time): mends relations that
   * cross pages, in place. Zipkin's shared server halves adopt their children here.
   */
  finishTrace?(spans: LogicalSpan[]): void;
  /** Absent where search is not possible (a custom layout without the needed paths). */
  search?: SearchFacts;
  /**
   * The `_source` paths the service map reads (ids, parent, service, name, kind, status, times, and
   * the attributes of `attributeKeys` that name peers), so a page of spans carries no more; absent:
   * all of it but events and links.
   */
  mapSource?(attributeKeys: string[]): string[];
  writeSpans(spans: LogicalSpan[], indexBase: string): WrittenDocument[];
  /** The mapping style the producer really gets on this engine. */
  producerMapping(engine: EngineFlavor): MappingStyle;
  indexSetups(indexBase: string, style: MappingStyle): IndexSetup[];
}
