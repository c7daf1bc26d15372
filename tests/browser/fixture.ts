/**
 * What the browser tests load into the engine: checkout traces and their logs made by the
 * OpenTelemetry JS SDK (as the demo makes them) at a fixed time with fixed seeds, so trace ids,
 * times and durations, and so the screenshots, are the same on every run; and the answers the
 * editors must show, computed here from the source spans.
 */
import { generateCorrelatedLogs, generateDemoTraces } from '../../src/cli/sdkData';
import type { LogicalLogRecord, LogicalSpan } from '../../src/proto/model';
import { logRecordsFromOtlp, spansFromOtlp } from '../../src/proto/otlp';

export const FIXTURE_START_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
/** The dashboard's range: the fixture's traces (two seconds apart) well inside it. */
export const RANGE = { fromMs: FIXTURE_START_MS - 10 * 60_000, toMs: FIXTURE_START_MS + 50 * 60_000 };

const traces = generateDemoTraces({ traces: 6, seed: 2026, baseTimeMs: FIXTURE_START_MS });
const logs = generateCorrelatedLogs(traces, { seed: 2027 });

export const TRACES_OTLP = traces.request;
export const LOGS_OTLP = logs.request;
export const TRACE_IDS = traces.traceIds;
export const SPANS: LogicalSpan[] = spansFromOtlp(traces.request);
export const LOG_RECORDS: LogicalLogRecord[] = logRecordsFromOtlp(logs.request);

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

export function spansOf(traceId: string): LogicalSpan[] {
  return SPANS.filter((span) => span.traceId === traceId);
}

export const SERVICES = sorted(SPANS.map((span) => span.serviceName));

export function operationsOf(service: string): string[] {
  return sorted(SPANS.filter((span) => span.serviceName === service).map((span) => span.name));
}

/** Span and resource attribute keys: what the attribute pickers and variables list. */
export const ATTRIBUTE_KEYS = sorted(SPANS.flatMap((span) => [...Object.keys(span.attributes), ...Object.keys(span.resourceAttributes)]));

export function attributeValues(key: string): string[] {
  return sorted(SPANS.flatMap((span) => (key in span.attributes ? [String(span.attributes[key])] : [])));
}

/** Traces with at least one span matching all of these. */
export function tracesWithSpan(match: (span: LogicalSpan) => boolean): string[] {
  return sorted(SPANS.filter(match).map((span) => span.traceId));
}

/** Distinct caller and callee services of the spans whose parent belongs to another service. */
export function serviceCalls(): string[] {
  const byId = new Map(SPANS.map((span) => [span.spanId, span]));
  return sorted(
    SPANS.flatMap((span) => {
      const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
      return parent && parent.serviceName !== span.serviceName ? [`${parent.serviceName}->${span.serviceName}`] : [];
    })
  );
}
