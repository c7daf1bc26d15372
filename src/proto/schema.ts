/**
 * The contract every storage schema file fulfils: where each logical field lives, how to recognise
 * the schema from a mapping, and both directions of conversion. Query builders only ever ask a
 * schema for its facts; none of them names a field itself.
 */
import type { SchemaName } from '../types';
import type { FieldCatalog } from './fieldCatalog';
import type { LogicalLogRecord, LogicalSpan } from './model';

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

export interface SpanSchema {
  name: SchemaId;
  producer: string;
  paths: SchemaPaths;
  /**
   * Set when span events are documents of their own (found beside the spans, told apart by this
   * field existing); trace queries then fetch spans and events separately so the span cap counts spans.
   */
  eventDocumentField?: string;
  detect(catalog: FieldCatalog): Detection;
  /**
   * A filter clause on the start time for this mapping, in epoch nanoseconds, or undefined when
   * the mapping cannot filter by time (the caller then warns).
   */
  timeRange(catalog: FieldCatalog, fromNs: bigint, toNs: bigint): JsonObject | undefined;
  /** Sort keys that give every document a stable place, for search_after paging. */
  pagingSort(catalog: FieldCatalog): JsonObject[];
  readHits(hits: StoredHit[]): ReadResult;
  writeSpans(spans: LogicalSpan[], indexBase: string): WrittenDocument[];
  /** Absent for schemas whose producers keep no logs (or whose log layout comes later). */
  writeLogs?(records: LogicalLogRecord[], indexBase: string): WrittenDocument[];
  /** The mapping style the producer really gets on this engine. */
  producerMapping(engine: EngineFlavor): MappingStyle;
  indexSetups(indexBase: string, style: MappingStyle): IndexSetup[];
}
