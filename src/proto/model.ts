/**
 * The logical span: the one shape every storage schema maps into (reading) and out of (writing).
 * See shared/reference/storage-schemas.md §9. Ids are lowercase hex; times are exact nanoseconds.
 */

/** An attribute value as OTLP has it: scalars, arrays, and maps (kvlist). */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

/** OTLP status codes: 0 unset, 1 ok, 2 error. */
export type StatusCode = 0 | 1 | 2;

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface InstrumentationScope {
  name?: string;
  version?: string;
  attributes?: Attributes;
  schemaUrl?: string;
}

export interface SpanProvenance {
  schema: string;
  index: string;
  /** The engine's document id, so a user can find the document behind a span. */
  id?: string;
  warnings: string[];
}

export interface LogicalSpan {
  traceId: string;
  spanId: string;
  /** Undefined for roots ("" and all-zero ids normalise to undefined). */
  parentSpanId?: string;
  name: string;
  serviceName: string;
  kind: SpanKind;
  startTimeUnixNano: bigint;
  /** Undefined when the schema does not store a duration. */
  durationNano?: bigint;
  statusCode: StatusCode;
  statusMessage?: string;
  attributes: Attributes;
  resourceAttributes: Attributes;
  resourceSchemaUrl?: string;
  scope?: InstrumentationScope;
  traceState?: string;
  events: SpanEvent[];
  links: SpanLink[];
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  source: SpanProvenance;
}

/** A log record as OTLP has it, for schemas that store span events or logs as their own documents. */
export interface LogicalLogRecord {
  timeUnixNano: bigint;
  observedTimeUnixNano?: bigint;
  traceId?: string;
  spanId?: string;
  severityText?: string;
  severityNumber?: number;
  body?: AttributeValue;
  eventName?: string;
  attributes: Attributes;
  resourceAttributes: Attributes;
  scope?: InstrumentationScope;
}

export const UNKNOWN_SERVICE = 'unknown_service';
