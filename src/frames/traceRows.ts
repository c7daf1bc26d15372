/**
 * Logical spans -> rows of Grafana's trace frame (TraceSpanRow, grafana-and-anchors.md §1.2):
 * milliseconds, lower-case kind, numeric status, events as logs with names, links as references.
 * Used by the frame builder and, as JSON, by `estraces trace`.
 */
import type { TraceKeyValuePair, TraceLog, TraceSpanReference, TraceSpanRow } from '@grafana/data';

import { attributeType } from '../proto/attributes';
import type { Attributes, AttributeValue, LogicalSpan, SpanEvent, SpanLink } from '../proto/model';
import { nanosToMillis } from '../proto/time';

/** Arrays and maps travel as JSON text: the trace view renders values as text and would choke on objects. */
function displayValue(value: AttributeValue): string | number | boolean | null {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

export function attributesToKeyValues(attributes: Attributes): TraceKeyValuePair[] {
  const pairs: TraceKeyValuePair[] = [];
  for (const key in attributes) {
    const value = attributes[key];
    pairs.push({ key, value: displayValue(value), type: attributeType(value) });
  }
  return pairs;
}

export function eventToLog(event: SpanEvent): TraceLog {
  return { timestamp: nanosToMillis(event.timeUnixNano), name: event.name, fields: attributesToKeyValues(event.attributes) };
}

export function linkToReference(link: SpanLink): TraceSpanReference {
  const tags = attributesToKeyValues(link.attributes);
  if (link.traceState) {
    tags.push({ key: 'w3c.tracestate', value: link.traceState, type: 'string' });
  }
  return { traceID: link.traceId, spanID: link.spanId, tags };
}

const STACKTRACE_KEY = 'exception.stacktrace';

/** Stack traces from exception events (and a span attribute, which some instrumentations set). */
export function stackTracesOf(span: LogicalSpan): string[] {
  const traces: string[] = [];
  for (const event of span.events) {
    const trace = event.attributes[STACKTRACE_KEY];
    if (event.name === 'exception' && typeof trace === 'string' && trace !== '') {
      traces.push(trace);
    }
  }
  const own = span.attributes[STACKTRACE_KEY];
  if (typeof own === 'string' && own !== '') {
    traces.push(own);
  }
  return traces;
}

function droppedWarnings(span: LogicalSpan): string[] {
  const dropped: string[] = [];
  const counts: Array<[number | undefined, string]> = [
    [span.droppedAttributesCount, 'attributes'],
    [span.droppedEventsCount, 'events'],
    [span.droppedLinksCount, 'links'],
  ];
  for (const [count, what] of counts) {
    if (count) {
      dropped.push(`the SDK dropped ${count} ${what} of this span (limits)`);
    }
  }
  return dropped;
}

/** The span's own warnings and what its SDK dropped, or undefined when there are none. */
export function spanWarnings(span: LogicalSpan): string[] | undefined {
  const dropped = span.droppedAttributesCount || span.droppedEventsCount || span.droppedLinksCount ? droppedWarnings(span) : [];
  const warnings = dropped.length > 0 ? [...span.source.warnings, ...dropped] : span.source.warnings;
  return warnings.length > 0 ? warnings : undefined;
}

/** `service.namespace` of the resource, where it is text. */
export function serviceNamespaceOf(span: LogicalSpan): string | undefined {
  const namespace = span.resourceAttributes['service.namespace'];
  return typeof namespace === 'string' ? namespace : undefined;
}

/** Unspecified is no kind to show: the trace view shows "Kind: …" for any non-empty value, and Tempo sends '' for it. */
export const frameKind = (span: LogicalSpan): string => (span.kind === 'unspecified' ? '' : span.kind);

export const frameDuration = (span: LogicalSpan): number => (span.durationNano === undefined ? 0 : nanosToMillis(span.durationNano));

export function spanToFrameRow(span: LogicalSpan): TraceSpanRow {
  const stackTraces = stackTracesOf(span);
  return {
    traceID: span.traceId,
    spanID: span.spanId,
    parentSpanID: span.parentSpanId,
    operationName: span.name,
    serviceName: span.serviceName,
    serviceNamespace: serviceNamespaceOf(span),
    serviceTags: attributesToKeyValues(span.resourceAttributes),
    startTime: nanosToMillis(span.startTimeUnixNano),
    duration: frameDuration(span),
    logs: span.events.map(eventToLog),
    references: span.links.map(linkToReference),
    tags: attributesToKeyValues(span.attributes),
    kind: frameKind(span),
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    instrumentationLibraryName: span.scope?.name,
    instrumentationLibraryVersion: span.scope?.version,
    traceState: span.traceState,
    warnings: spanWarnings(span),
    stackTraces: stackTraces.length > 0 ? stackTraces : undefined,
  };
}
