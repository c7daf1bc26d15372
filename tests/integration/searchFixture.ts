/**
 * A deterministic OTLP/JSON fixture for trace search: hundreds of traces across services,
 * durations, statuses and attribute values (hostile ones included), and the ground truth of any
 * search computed here in plain code, independently of the engine and of src/query.
 */
import type { OtlpKeyValue, OtlpSpan, OtlpTraceRequest } from '../../src/proto/otlp';
import { seededRandom as random } from '../../src/cli/seededRandom';

export const FIXTURE_START_MS = Date.UTC(2026, 10, 20, 10, 0, 0);
/** Traces placed two days earlier, which a window around the fixture must leave out. */
export const OLD_OFFSET_MS = 2 * 24 * 3600 * 1000;

export const SERVICES = ['frontend', 'checkout', 'payment', 'inventory', 'shipping', 'über-café ☕'];
export const OPERATIONS = ['GET /cart', 'POST /pay', 'db query', 'publish: order', 'render "home"'];
/** Values that are query syntax elsewhere, with near misses a wildcard or phrase would also match. */
export const NOTES = ['a "quoted" value', 'back\\slash', 'star*', 'starfish', 'colon:value', 'colon', 'ünïcödé ✓', 'a b', 'plain'];
export const TIERS = ['gold', 'silver', 'bronze'];
export const STATUS_CODES = [200, 404, 500];

export interface FixtureSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  name: string;
  startMs: number;
  durationMs: number;
  status: 0 | 1 | 2;
  attributes: { 'http.response.status_code': number; 'app.user.vip': boolean; 'app.tier': string; 'app.note': string };
  environment: string;
}


const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

export function buildSearchFixture(traces = 300, old = 20): FixtureSpan[] {
  const next = random(4242);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const spans: FixtureSpan[] = [];
  for (let i = 0; i < traces + old; i++) {
    const traceId = `${hex(0xa1b2c3d4, 8)}${hex(i + 1, 24)}`;
    const isOld = i >= traces;
    const startMs = FIXTURE_START_MS + (i % traces) * 7_000 + Math.floor(next() * 5_000) - (isOld ? OLD_OFFSET_MS : 0);
    // Distinct root durations: 7919 is invertible modulo the prime 3001.
    const rootDuration = ((i * 7919) % 3001) + 5;
    const children = 1 + Math.floor(next() * 7);
    const rootService = SERVICES[i % SERVICES.length];
    const makeSpan = (n: number, parent: string | undefined, service: string, start: number, duration: number): FixtureSpan => ({
      traceId,
      spanId: `${hex(i + 1, 8)}${hex(n + 1, 8)}`,
      parentSpanId: parent,
      service,
      name: n === 0 ? OPERATIONS[i % 2] : pick(OPERATIONS),
      startMs: start,
      durationMs: duration,
      status: next() < 0.12 ? 2 : next() < 0.25 ? 1 : 0,
      attributes: { 'http.response.status_code': pick(STATUS_CODES), 'app.user.vip': next() < 0.3, 'app.tier': pick(TIERS), 'app.note': pick(NOTES) },
      environment: service === 'shipping' ? 'staging' : 'prod',
    });
    const root = makeSpan(0, undefined, rootService, startMs, rootDuration);
    spans.push(root);
    for (let n = 1; n <= children; n++) {
      const offset = Math.floor(next() * rootDuration);
      // Every ninth trace has an asynchronous child that outlives its root, so the trace lasts longer than the root span.
      const duration = i % 9 === 0 && n === 1 ? rootDuration + 40 + (i % 17) : Math.max(1, Math.floor(next() * (rootDuration - offset)));
      spans.push(makeSpan(n, n > 2 && next() < 0.5 ? `${hex(i + 1, 8)}${hex(2, 8)}` : root.spanId, pick(SERVICES), startMs + offset, duration));
    }
  }
  return spans;
}

const attribute = (key: string, value: string | number | boolean): OtlpKeyValue => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : { intValue: String(value) },
});

const nanos = (ms: number) => `${BigInt(ms) * BigInt(1_000_000)}`;

/** The fixture as an OTLP/JSON export request, one resource per service and environment. */
export function fixtureToOtlp(spans: FixtureSpan[]): OtlpTraceRequest {
  const byResource = new Map<string, FixtureSpan[]>();
  for (const span of spans) {
    const key = `${span.service}\u0000${span.environment}`;
    byResource.set(key, [...(byResource.get(key) ?? []), span]);
  }
  return {
    resourceSpans: [...byResource.values()].map((group) => ({
      resource: { attributes: [attribute('service.name', group[0].service), attribute('deployment.environment', group[0].environment)] },
      scopeSpans: [
        {
          scope: { name: 'search-fixture', version: '1.0.0' },
          spans: group.map(
            (span): OtlpSpan => ({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId,
              name: span.name,
              kind: span.parentSpanId ? 3 : 2,
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.startMs + span.durationMs),
              attributes: Object.entries(span.attributes).map(([key, value]) => attribute(key, value)),
              status: { code: span.status },
            })
          ),
        },
      ],
    })),
  };
}

export interface TruthQuery {
  service?: string;
  operation?: string;
  tags?: Array<[string, string | number | boolean]>;
  minDurationMs?: number;
  maxDurationMs?: number;
  status?: 'error' | 'ok' | 'unset';
  fromMs?: number;
  toMs?: number;
}

export interface TruthTrace {
  traceID: string;
  startTime: number;
  duration: number;
  rootService: string;
  rootName: string;
  spans: number;
  errors: number;
  services: string[];
}

function spanValue(span: FixtureSpan, key: string): string | number | boolean | undefined {
  if (key === 'service.name') {
    return span.service;
  }
  if (key === 'deployment.environment') {
    return span.environment;
  }
  return (span.attributes as Record<string, string | number | boolean>)[key];
}

/** Whether one span matches every span-level filter, as Jaeger defines a match. */
function spanMatches(span: FixtureSpan, query: TruthQuery): boolean {
  const status = { error: 2, ok: 1, unset: 0 } as const;
  return (
    (query.service === undefined || span.service === query.service) &&
    (query.operation === undefined || span.name === query.operation) &&
    (query.minDurationMs === undefined || span.durationMs >= query.minDurationMs) &&
    (query.maxDurationMs === undefined || span.durationMs <= query.maxDurationMs) &&
    (query.status === undefined || span.status === status[query.status]) &&
    (query.fromMs === undefined || span.startMs >= query.fromMs) &&
    (query.toMs === undefined || span.startMs <= query.toMs) &&
    (query.tags ?? []).every(([key, value]) => spanValue(span, key) === value)
  );
}

export function summarise(spans: FixtureSpan[], traceId: string): TruthTrace {
  const own = spans.filter((span) => span.traceId === traceId);
  const start = Math.min(...own.map((span) => span.startMs));
  const end = Math.max(...own.map((span) => span.startMs + span.durationMs));
  const root = own.find((span) => span.parentSpanId === undefined)!;
  return {
    traceID: traceId,
    startTime: start,
    duration: end - start,
    rootService: root.service,
    rootName: root.name,
    spans: own.length,
    errors: own.filter((span) => span.status === 2).length,
    services: [...new Set(own.map((span) => span.service))].sort((a, b) => a.localeCompare(b)),
  };
}

/** The matching traces, ordered as the search orders them (ties broken by trace id). */
export function groundTruth(spans: FixtureSpan[], query: TruthQuery, sort: 'recent' | 'slowest', limit: number): TruthTrace[] {
  const ids = [...new Set(spans.filter((span) => spanMatches(span, query)).map((span) => span.traceId))];
  const traces = ids.map((id) => summarise(spans, id));
  const key = (trace: TruthTrace) => (sort === 'slowest' ? trace.duration : trace.startTime);
  traces.sort((a, b) => key(b) - key(a) || (a.traceID < b.traceID ? -1 : 1));
  return traces.slice(0, limit);
}
