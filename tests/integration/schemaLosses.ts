/**
 * What each schema cannot store, as a projection of a source span onto what reading it back must
 * give. The `losses` lines are the same list the README's schema table gives.
 */
import type { Attributes, AttributeValue, LogicalSpan } from '../../src/proto/model';
import { ECS_NO_DURATION } from '../../src/proto/ecs';
import { labelKey } from '../../src/proto/elasticApm';
import type { SchemaName } from '../../src/types';

export interface SchemaLosses {
  losses: string[];
  project(span: LogicalSpan): LogicalSpan;
}

const US = BigInt(1000);
const floorMicros = (ns: bigint) => ns - (ns % US);
const asText = (value: AttributeValue) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value);
const mapValues = (attributes: Attributes, map: (value: AttributeValue) => AttributeValue): Attributes => Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, map(value)]));

/** Fields no schema but otel keeps: the SDK's dropped counts and schema URLs. */
function withoutExtras(span: LogicalSpan): LogicalSpan {
  return { ...span, droppedAttributesCount: undefined, droppedEventsCount: undefined, droppedLinksCount: undefined, resourceSchemaUrl: undefined, scope: span.scope ? { name: span.scope.name, version: span.scope.version } : undefined };
}

function microsecondTimes(span: LogicalSpan): LogicalSpan {
  return {
    ...span,
    startTimeUnixNano: floorMicros(span.startTimeUnixNano),
    durationNano: span.durationNano === undefined ? undefined : floorMicros(span.durationNano),
    events: span.events.map((event) => ({ ...event, timeUnixNano: floorMicros(event.timeUnixNano) })),
  };
}

const plainLinks = (span: LogicalSpan): LogicalSpan => ({ ...span, links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: {} })) });

export const LOSSES: Record<SchemaName, SchemaLosses> = {
  otel: {
    losses: ['double attributes with integral values read back as int64', 'int64 attributes beyond 2^53 read back as decimal strings'],
    project: (span) => span,
  },
  'otel-raw': {
    losses: ['trace state', 'link trace state', 'dropped counts', 'schema URLs', 'two events with the same name on one span collide', 'map (kvlist) attributes are flattened to dotted keys'],
    project: (span) => ({ ...withoutExtras(span), traceState: undefined, links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: link.attributes })), events: span.events.map((event) => ({ timeUnixNano: event.timeUnixNano, name: event.name, attributes: event.attributes })) }),
  },
  ecs: {
    losses: ['duration (shown as 0 with a warning)', 'events', 'status message', 'scope', 'trace state', 'link attributes and trace state', 'resource and span attributes share the document root: keys under service., host., os., deployment., cloud., container., kubernetes., process., telemetry., agent. read as resource'],
    project: (span) => ({
      ...withoutExtras(plainLinks(span)),
      durationNano: BigInt(0),
      events: [],
      statusMessage: undefined,
      scope: undefined,
      traceState: undefined,
      source: { ...span.source, warnings: [ECS_NO_DURATION] },
    }),
  },
  jaeger: {
    losses: ['times to the microsecond', 'array and map attributes become JSON strings', 'link attributes and trace state', 'scope attributes', 'dropped counts', 'schema URLs'],
    project: (span) => {
      const projected = microsecondTimes(withoutExtras(plainLinks(span)));
      return {
        ...projected,
        attributes: mapValues(span.attributes, asText),
        resourceAttributes: mapValues(span.resourceAttributes, asText),
        events: projected.events.map((event) => ({ timeUnixNano: event.timeUnixNano, name: event.name, attributes: mapValues(event.attributes, asText) })),
      };
    },
  },
  'data-prepper': {
    losses: ['array and map attributes become JSON strings (classic shape)', "'@' in attribute keys reads back as '.'", 'scope attributes', 'schema URLs'],
    project: (span) => ({
      ...span,
      resourceSchemaUrl: undefined,
      scope: span.scope ? { name: span.scope.name, version: span.scope.version } : undefined,
      attributes: mapValues(span.attributes, asText),
      resourceAttributes: mapValues(span.resourceAttributes, asText),
      events: span.events.map((event) => ({ ...event, attributes: mapValues(event.attributes, asText) })),
      links: span.links.map((link) => ({ ...link, attributes: mapValues(link.attributes, asText) })),
    }),
  },
  'elastic-apm': {
    losses: [
      'times to the microsecond',
      "attribute keys: '.', '*' and '\"' become '_' (labels)",
      'boolean attributes become strings; arrays other than strings or numbers become JSON strings',
      'resource attributes other than service name/version, deployment environment, instance id and host name become labels',
      'events (kept by APM as error and log documents)',
      'status message',
      'span kind unspecified reads as server (transactions) or internal (spans)',
      'link attributes and trace state; span trace state; scope attributes; dropped counts',
    ],
    project: (span) => {
      const projected = microsecondTimes(withoutExtras(plainLinks(span)));
      const kept = new Set(['service.name', 'service.version', 'deployment.environment.name', 'service.instance.id', 'host.name']);
      const labelled: Attributes = {};
      for (const [key, value] of Object.entries({ ...Object.fromEntries(Object.entries(span.resourceAttributes).filter(([key]) => !kept.has(key))), ...span.attributes })) {
        labelled[labelKey(key)] = typeof value === 'boolean' ? String(value) : Array.isArray(value) && !value.every((item) => typeof item === 'string') && !value.every((item) => typeof item === 'number') ? JSON.stringify(value) : value;
      }
      const transaction = !span.parentSpanId || span.kind === 'server' || span.kind === 'consumer';
      return {
        ...projected,
        kind: span.kind === 'unspecified' ? (transaction ? 'server' : 'internal') : span.kind,
        attributes: labelled,
        resourceAttributes: Object.fromEntries(Object.entries(span.resourceAttributes).filter(([key]) => kept.has(key))),
        events: [],
        statusMessage: undefined,
        traceState: undefined,
      };
    },
  },
  zipkin: {
    losses: [
      'times to the microsecond',
      'span and service names are lower-cased (Zipkin stores them so; searches lower-case what is typed)',
      'every attribute becomes a string',
      'resource attributes other than service.name',
      'event attributes',
      'links',
      'trace state',
      'status message unless the span failed',
      'span kind unspecified reads as internal',
      'scope attributes',
      'a Brave-style shared span shows as two spans: the server half under the client half, with a display id `<id>-server` and the stored id in `zipkin.span_id`',
      'endpoint addresses and the remote service read as network.peer.*, network.local.*, peer.service (and server.* on client and producer spans)',
    ],
    project: (span) => {
      const projected = microsecondTimes(withoutExtras(span));
      const serviceName = span.serviceName.toLowerCase();
      return {
        ...projected,
        name: span.name.toLowerCase(),
        serviceName,
        droppedAttributesCount: span.droppedAttributesCount || undefined,
        droppedEventsCount: span.droppedEventsCount || undefined,
        droppedLinksCount: span.droppedLinksCount || undefined,
        kind: span.kind === 'unspecified' ? 'internal' : span.kind,
        attributes: mapValues(span.attributes, (value) => (typeof value === 'string' ? value : JSON.stringify(value))),
        resourceAttributes: { 'service.name': serviceName },
        events: projected.events.map((event) => ({ timeUnixNano: event.timeUnixNano, name: event.name, attributes: {} })),
        links: [],
        traceState: undefined,
        statusMessage: span.statusCode === 2 || span.statusMessage ? span.statusMessage : undefined,
      };
    },
  },
  bklog: {
    losses: ['times to the microsecond', 'map attributes are flattened to dotted keys', 'scope', 'dropped counts', 'schema URLs'],
    project: (span) => {
      const projected = microsecondTimes(withoutExtras(span));
      return { ...projected, scope: undefined, events: projected.events.map((event) => ({ timeUnixNano: event.timeUnixNano, name: event.name, attributes: event.attributes })), links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, traceState: link.traceState, attributes: link.attributes })) };
    },
  },
  ss4o: {
    losses: ['resource attribute values become text (maps and arrays as JSON)', 'resource schema URL', "a span attribute named 'data_stream' (the exporter's own)"],
    project: (span) => {
      // The exporter's resource map is map[string]string from pcommon's AsString: JSON with sorted keys for maps.
      const sorted = (value: AttributeValue): AttributeValue => (Array.isArray(value) ? value.map(sorted) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])])) : value);
      const text = (value: AttributeValue) => (value === null ? '' : typeof value === 'object' ? JSON.stringify(sorted(value)) : String(value));
      const { data_stream: _dataStream, ...attributes } = span.attributes;
      return { ...span, attributes, resourceAttributes: mapValues(span.resourceAttributes, text), resourceSchemaUrl: undefined };
    },
  },
  'bklog-log': {
    losses: [
      'times to the millisecond (start and duration)',
      'resource attributes other than the service',
      'status ok reads as unset; status message',
      'events: only the first one is kept, as its message (or name), read back as one event named log at the span start',
      'links',
      'trace state; scope; dropped counts; schema URLs',
      'map attributes flatten to dotted keys',
      'attributes named error, local_service, span.kind (or below them), a non-integer result_code, a non-text scene',
    ],
    project: (span) => {
      const MS = BigInt(1_000_000);
      const floorMillis = (ns: bigint) => ns - (ns % MS);
      const start = floorMillis(span.startTimeUnixNano);
      const first = span.events[0];
      const message = first?.attributes.message;
      return {
        ...withoutExtras(span),
        scope: undefined,
        traceState: undefined,
        startTimeUnixNano: start,
        durationNano: floorMillis(span.durationNano ?? BigInt(0)),
        statusCode: span.statusCode === 2 ? 2 : 0,
        statusMessage: undefined,
        resourceAttributes: { 'service.name': span.serviceName },
        events: first ? [{ timeUnixNano: start, name: 'log', attributes: { message: typeof message === 'string' ? message : first.name } }] : [],
        links: [],
      };
    },
  },
};
