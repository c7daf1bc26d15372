/**
 * Deterministic benchmark data: realistic traces over a day (services calling services, database
 * and cache spans, HTTP attributes, 5% errors with exception events, cache events), produced in
 * batches of whole traces so a million spans never sit in memory at once; and single traces of a
 * given size. The same seed gives the same spans on every machine.
 */
import type { Attributes, LogicalSpan, SpanEvent, SpanKind } from '../proto/model';
import { seededRandom as random } from './seededRandom';

export interface BenchSpec {
  /** About this many spans in total. */
  spans: number;
  /** Spread evenly over this many hours before `endMs`. */
  hours: number;
  endMs: number;
  services: number;
  operationsPerService: number;
  errorRate: number;
  seed: number;
}


const hex = (next: () => number, digits: number) => {
  let out = '';
  while (out.length < digits) {
    out += Math.floor(next() * 0x100000000).toString(16).padStart(8, '0');
  }
  return out.slice(0, digits);
};

const SERVICE_WORDS = ['frontend', 'checkout', 'payment', 'inventory', 'shipping', 'cart', 'catalog', 'search', 'recommend', 'auth', 'users', 'orders', 'pricing', 'email', 'notify', 'ads', 'reviews', 'currency', 'fraud', 'gateway'];
const VERBS = ['GET', 'POST', 'PUT', 'DELETE'];
const TENANTS = Array.from({ length: 50 }, (_, i) => `tenant-${i.toString().padStart(2, '0')}`);
const MS = BigInt(1_000_000);
const US = BigInt(1000);

export function serviceNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i < SERVICE_WORDS.length ? SERVICE_WORDS[i] : `service-${i}`));
}

export function operationNames(service: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i % 3 === 2 ? `${service} db query ${i}` : `${VERBS[i % VERBS.length]} /api/${service}/${i}`));
}

interface Context {
  next: () => number;
  services: string[];
  operations: Map<string, string[]>;
  errorRate: number;
}

function resourceOf(service: string, instance: number): Attributes {
  return { 'service.name': service, 'service.version': '1.4.2', 'host.name': `${service}-${instance}`, 'deployment.environment': instance % 5 === 0 ? 'staging' : 'prod' };
}

/** One span with realistic attributes; errors get an exception event, some spans a cache event. */
function makeSpan(ctx: Context, traceId: string, parentSpanId: string | undefined, service: string, startNs: bigint, durationNs: bigint, kind: SpanKind): LogicalSpan {
  const { next } = ctx;
  const operations = ctx.operations.get(service)!;
  const name = operations[Math.floor(next() * operations.length)];
  const failed = next() < ctx.errorRate;
  const database = name.includes('db query');
  const attributes: Attributes = database
    ? { 'db.system': 'postgresql', 'db.namespace': `${service}_db`, 'db.query.text': `SELECT * FROM ${service} WHERE id = $1`, 'server.address': `${service}-db` }
    : { 'http.request.method': name.split(' ')[0], 'http.response.status_code': failed ? 500 : next() < 0.05 ? 404 : 200, 'url.path': name.split(' ')[1] ?? '/', 'server.address': service };
  attributes['app.tenant'] = TENANTS[Math.floor(next() * TENANTS.length)];
  attributes['app.user.vip'] = next() < 0.2;
  attributes['app.retry.count'] = Math.floor(next() * 3);
  const events: SpanEvent[] = [];
  if (failed) {
    events.push({ timeUnixNano: startNs + durationNs / BigInt(2), name: 'exception', attributes: { 'exception.type': 'UpstreamError', 'exception.message': `${service} dependency failed`, 'exception.stacktrace': `UpstreamError: ${service} dependency failed\n    at handler (${service}.js:42:7)` } });
  } else if (next() < 0.1) {
    events.push({ timeUnixNano: startNs + durationNs / BigInt(4), name: 'cache.miss', attributes: { 'cache.key': `${service}:${Math.floor(next() * 1000)}` } });
  }
  return {
    traceId,
    spanId: hex(next, 16),
    parentSpanId,
    name,
    serviceName: service,
    kind,
    startTimeUnixNano: startNs,
    durationNano: durationNs,
    statusCode: failed ? 2 : 0,
    statusMessage: failed ? `${service} dependency failed` : undefined,
    attributes,
    resourceAttributes: resourceOf(service, Math.floor(next() * 3)),
    scope: { name: `bench.${service}`, version: '1.0.0' },
    events,
    links: [],
    source: { schema: 'otel', index: '', id: '', warnings: [] },
  };
}

/** A trace of `size` spans: a root and children nested within their parents' time. */
function makeTrace(ctx: Context, size: number, startNs: bigint): LogicalSpan[] {
  const { next } = ctx;
  const traceId = hex(next, 32);
  const rootService = ctx.services[Math.floor(next() * Math.min(4, ctx.services.length))];
  const rootDuration = BigInt(Math.floor(5 + next() * next() * 3000)) * MS + BigInt(Math.floor(next() * 1000)) * US;
  const spans = [makeSpan(ctx, traceId, undefined, rootService, startNs, rootDuration, 'server')];
  for (let i = 1; i < size; i++) {
    const parent = spans[Math.floor(next() * Math.min(spans.length, 1 + i / 2))];
    const parentDuration = parent.durationNano ?? BigInt(0);
    const offset = BigInt(Math.floor(next() * 0.5 * Number(parentDuration / US))) * US;
    const duration = BigInt(Math.max(1, Math.floor(next() * 0.5 * Number(parentDuration / US)))) * US;
    const service = next() < 0.6 ? parent.serviceName : ctx.services[Math.floor(next() * ctx.services.length)];
    spans.push(makeSpan(ctx, traceId, parent.spanId, service, parent.startTimeUnixNano + offset, duration, service === parent.serviceName ? 'internal' : 'client'));
  }
  return spans;
}

function context(spec: Pick<BenchSpec, 'services' | 'operationsPerService' | 'errorRate' | 'seed'>): Context {
  const services = serviceNames(spec.services);
  return { next: random(spec.seed), services, operations: new Map(services.map((service) => [service, operationNames(service, spec.operationsPerService)])), errorRate: spec.errorRate };
}

/** Traces of 1 to 32 spans (mean about 16.5), evenly spread over the hours, in batches of whole traces. */
export function* benchBatches(spec: BenchSpec, batchSpans = 20_000): Generator<LogicalSpan[]> {
  const ctx = context(spec);
  const traces = Math.max(1, Math.round(spec.spans / 16.5));
  const stepNs = (BigInt(spec.hours * 3_600_000) * MS) / BigInt(traces);
  const firstNs = BigInt(spec.endMs) * MS - BigInt(spec.hours * 3_600_000) * MS;
  let batch: LogicalSpan[] = [];
  for (let t = 0; t < traces; t++) {
    const size = 1 + Math.floor(ctx.next() * 32);
    batch.push(...makeTrace(ctx, size, firstNs + stepNs * BigInt(t) + BigInt(Math.floor(ctx.next() * 1000)) * US));
    if (batch.length >= batchSpans) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield batch;
  }
}

/** One trace of exactly `size` spans starting at `startMs`. */
export function bigTrace(size: number, startMs: number, seed: number): LogicalSpan[] {
  const ctx = context({ services: 20, operationsPerService: 10, errorRate: 0.05, seed });
  return makeTrace(ctx, size, BigInt(startMs) * MS);
}
