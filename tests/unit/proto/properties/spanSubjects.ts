/**
 * Every span reader under test, each with a writer of its valid documents and the projection of
 * a source span onto what reading it back must give. Registry schemas use their own writers and
 * the losses the integration suite documents (tests/integration/schemaLosses.ts, pure: it imports
 * nothing but proto); Data Prepper's standard shape and the custom layout, which have no writer,
 * get a small one here, following storage-schemas.md §4.3 and the custom layout's settings.
 */
import { customSchema } from '../../../../src/proto/custom';
import { SHARED_SPAN_SUFFIX } from '../../../../src/proto/ids';
import type { LogicalSpan } from '../../../../src/proto/model';
import { SPAN_SCHEMAS } from '../../../../src/proto/registry';
import type { JsonObject, ReadResult, StoredHit } from '../../../../src/proto/schema';
import { formatIsoNanos } from '../../../../src/proto/time';
import type { SchemaName } from '../../../../src/types';
import { LOSSES } from '../../../integration/schemaLosses';
import type { ListForms } from './generators';

export interface SpanSubject {
  name: string;
  readHits(hits: StoredHit[]): ReadResult;
  /** Every document the producer stores for these spans, with the index it goes to. */
  write(spans: LogicalSpan[]): Array<{ index: string; document: JsonObject }>;
  /** What reading back a written span must give (source provenance aside). */
  project(span: LogicalSpan): LogicalSpan;
  /** Mends relations across pages after reading, where the schema needs it. */
  finishTrace?(spans: LogicalSpan[]): void;
  spanIdSuffix?: string;
  /** Lists kept in another form than a JSON array, where the schema has them. */
  listForms?: ListForms;
}

export const INDEX = 'spans';

const KIND_NAMES: Record<string, string> = { unspecified: 'SPAN_KIND_UNSPECIFIED', internal: 'SPAN_KIND_INTERNAL', server: 'SPAN_KIND_SERVER', client: 'SPAN_KIND_CLIENT', producer: 'SPAN_KIND_PRODUCER', consumer: 'SPAN_KIND_CONSUMER' };

/** Data Prepper's standard ("otel") output: original attribute keys in objects, a status object. */
function dataPrepperStandardDocument(span: LogicalSpan): JsonObject {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    traceState: span.traceState ?? '',
    name: span.name,
    kind: KIND_NAMES[span.kind],
    flags: 1,
    startTime: formatIsoNanos(span.startTimeUnixNano),
    endTime: formatIsoNanos(span.startTimeUnixNano + (span.durationNano ?? BigInt(0))),
    durationInNanos: Number(span.durationNano ?? BigInt(0)),
    attributes: span.attributes,
    resource: { attributes: span.resourceAttributes },
    ...(span.scope ? { instrumentationScope: { name: span.scope.name, ...(span.scope.version ? { version: span.scope.version } : {}) } } : {}),
    status: { code: span.statusCode, ...(span.statusMessage ? { message: span.statusMessage } : {}) },
    events: span.events.map((event) => ({ name: event.name, time: formatIsoNanos(event.timeUnixNano), attributes: event.attributes, droppedAttributesCount: 0 })),
    links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, traceState: '', attributes: link.attributes, droppedAttributesCount: 0 })),
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

const CUSTOM_LAYOUT = { traceId: 'tid', spanId: 'sid', parentSpanId: 'pid', name: 'op', serviceName: 'svc', start: 'when', duration: 'took_us', durationUnit: 'us', statusCode: 'outcome', attributesPrefix: 'tags' } as const;

function customDocument(span: LogicalSpan): JsonObject {
  return {
    tid: span.traceId,
    sid: span.spanId,
    ...(span.parentSpanId ? { pid: span.parentSpanId } : {}),
    op: span.name,
    svc: span.serviceName,
    when: formatIsoNanos(span.startTimeUnixNano),
    took_us: Number((span.durationNano ?? BigInt(0)) / BigInt(1000)),
    outcome: span.statusCode,
    tags: span.attributes,
  };
}

const US = BigInt(1000);

/** The exporter's `none` mode writes the links as JSON text in `Link`, and each event as keys marked by `Events.<name>.time`. */
const OTEL_RAW_LISTS: ListForms = {
  whole: (path) => path.length === 1 && path[0] === 'Link',
  element: (path) => path.length === 1 && /^Events\..+\.time$/.test(String(path[0])),
};

/** The seed's LOG protocol keeps its one event as the text in `log`. */
const BKLOG_LOG_LISTS: ListForms = { whole: (path) => path.length === 1 && path[0] === 'log', element: () => false };

export const SPAN_SUBJECTS: SpanSubject[] = [
  ...SPAN_SCHEMAS.map(
    (schema): SpanSubject => ({
      name: schema.name,
      readHits: (hits) => schema.readHits(hits),
      write: (spans) => schema.writeSpans(spans, INDEX),
      project: LOSSES[schema.name as SchemaName].project,
      finishTrace: schema.finishTrace?.bind(schema),
      spanIdSuffix: schema.name === 'zipkin' ? SHARED_SPAN_SUFFIX : undefined,
      listForms: schema.name === 'otel-raw' ? OTEL_RAW_LISTS : schema.name === 'bklog-log' ? BKLOG_LOG_LISTS : undefined,
    }),
  ),
  {
    name: 'data-prepper (standard shape)',
    readHits: (hits) => SPAN_SCHEMAS.find((schema) => schema.name === 'data-prepper')!.readHits(hits),
    write: (spans) => spans.map((span) => ({ index: INDEX, document: dataPrepperStandardDocument(span) })),
    project: (span) => ({ ...span, resourceSchemaUrl: undefined, scope: span.scope ? { name: span.scope.name, version: span.scope.version } : undefined, links: span.links.map((link) => ({ ...link, traceState: undefined })) }),
  },
  {
    name: 'custom',
    readHits: (hits) => customSchema(CUSTOM_LAYOUT).readHits(hits),
    write: (spans) => spans.map((span) => ({ index: INDEX, document: customDocument(span) })),
    project: (span) => ({
      ...span,
      kind: 'unspecified',
      durationNano: span.durationNano === undefined ? undefined : span.durationNano - (span.durationNano % US),
      statusMessage: undefined,
      resourceAttributes: { 'service.name': span.serviceName },
      scope: undefined,
      traceState: undefined,
      events: [],
      links: [],
    }),
  },
];
