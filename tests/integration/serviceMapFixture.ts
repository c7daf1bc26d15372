/**
 * Traces of services calling services, databases, queues and peers nobody traces, as OTLP/JSON,
 * and the service map they make computed here in plain code from the source spans, independently
 * of src/query: nodes (entry spans of each service; the calls into each untraced peer) and edges
 * (callee side), counts, errors and exact percentiles.
 */
import { seededRandom as random } from '../../src/cli/seededRandom';
import type { LogicalSpan } from '../../src/proto/model';
import type { OtlpKeyValue, OtlpTraceRequest } from '../../src/proto/otlp';

export const MAP_START_MS = Date.UTC(2026, 10, 24, 8, 0, 0);
export const MAP_WINDOW = { fromMs: MAP_START_MS, toMs: MAP_START_MS + 3_600_000 };
/** Traces this long before the window: on no map of it. */
const OLD_MS = 2 * 24 * 3_600_000;

type Kind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';
const KIND_NUMBER: Record<Kind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

export interface MapSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  name: string;
  kind: Kind;
  startMs: number;
  durationMs: number;
  error: boolean;
  attributes: Record<string, string>;
}

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

/**
 * frontend serves each trace and calls checkout (client -> server), an untraced auth peer
 * (peer.service), and sometimes something it does not name; checkout calls payment, a database
 * (db.system + db.namespace) and a queue (messaging), which shipping consumes only in some traces.
 * Names are lower-case, as Zipkin would store them anyway.
 */
export function buildMapFixture(traces = 90, old = 6): MapSpan[] {
  const next = random(1313);
  const spans: MapSpan[] = [];
  for (let t = 0; t < traces + old; t++) {
    // Random-looking ids with every ending, so samples by trace id ending find some.
    const traceId = hex(Math.floor(next() * 0xffffffff), 8) + hex(t * 7919 + 17, 24);
    let counter = 0;
    const base = t < traces ? MAP_START_MS + 60_000 + t * 30_000 : MAP_START_MS - OLD_MS + t * 1000;
    const add = (parent: MapSpan | undefined, service: string, name: string, kind: Kind, attributes: Record<string, string> = {}, error = false): MapSpan => {
      counter++;
      const span: MapSpan = {
        traceId,
        spanId: hex(t * 64 + counter, 16),
        parentSpanId: parent?.spanId,
        service,
        name,
        kind,
        startMs: (parent?.startMs ?? base) + counter,
        durationMs: 1 + Math.floor(next() * 200),
        error,
        attributes,
      };
      spans.push(span);
      return span;
    };
    const fails = () => next() < 0.15;
    const root = add(undefined, 'frontend', 'get /checkout', 'server', {}, fails());
    add(root, 'frontend', 'render', 'internal');
    add(root, 'frontend', 'check token', 'client', { 'peer.service': 'auth-api' }, fails());
    if (t % 5 === 0) {
      add(root, 'frontend', 'mystery call', 'client');
    }
    const call = add(root, 'frontend', 'post /orders', 'client');
    const orders = add(call, 'checkout', 'post /orders', 'server', {}, fails());
    add(orders, 'checkout', 'insert order', 'client', { 'db.system': 'postgresql', 'db.namespace': 'orders' }, fails());
    if (t % 3 !== 0) {
      const pay = add(orders, 'checkout', 'post /pay', 'client');
      add(pay, 'payment', 'post /pay', 'server', {}, fails());
    }
    const publish = add(orders, 'checkout', 'publish orders', 'producer', { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' });
    if (t % 2 === 0) {
      const consume = add(publish, 'shipping', 'process orders', 'consumer', {}, fails());
      add(consume, 'shipping', 'plan route', 'internal');
    }
    if (t === 1) {
      // A span whose parent was never stored: its caller is unknown.
      add({ ...root, spanId: hex(0xdead, 16) }, 'payment', 'refund', 'server');
    }
  }
  return spans;
}

/** Source spans of another test (an SDK's, a producer's input) in the shape the truth reads. */
export function mapSpansOf(spans: LogicalSpan[]): MapSpan[] {
  const kinds: Kind[] = ['server', 'client', 'producer', 'consumer'];
  return spans.map((span) => ({
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: span.serviceName,
    name: span.name,
    kind: kinds.includes(span.kind as Kind) ? (span.kind as Kind) : 'internal',
    startMs: Number(span.startTimeUnixNano / BigInt(1_000_000)),
    durationMs: Number(span.durationNano ?? BigInt(0)) / 1e6,
    error: span.statusCode === 2,
    attributes: Object.fromEntries(Object.entries(span.attributes).map(([key, value]) => [key, String(value)])),
  }));
}

export function mapRequest(spans: MapSpan[]): OtlpTraceRequest {
  const services = [...new Set(spans.map((span) => span.service))];
  const attributes = (values: Record<string, string>): OtlpKeyValue[] => Object.entries(values).map(([key, value]) => ({ key, value: { stringValue: value } }));
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: attributes({ 'service.name': service }) },
      scopeSpans: [
        {
          scope: { name: 'map-fixture' },
          spans: spans
            .filter((span) => span.service === service)
            .map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: KIND_NUMBER[span.kind],
              startTimeUnixNano: String(BigInt(span.startMs) * BigInt(1_000_000)),
              endTimeUnixNano: String(BigInt(span.startMs + span.durationMs) * BigInt(1_000_000)),
              attributes: attributes(span.attributes),
              status: { code: span.error ? 2 : 0 },
            })),
        },
      ],
    })),
  };
}

export interface TruthNode {
  id: string;
  kind: 'service' | 'virtual';
  requests: number;
  errors: number;
  durations: number[];
}

export interface TruthEdge {
  source: string;
  target: string;
  calls: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Linear interpolation between closest ranks. */
export function percentileOf(values: number[], percent: number): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return null;
  }
  const rank = (percent / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

function peerOf(span: MapSpan): string | undefined {
  const a = span.attributes;
  if (a['peer.service'] || a['server.address']) {
    return a['peer.service'] || a['server.address'];
  }
  const joined = (first: string | undefined, second: string | undefined) => (first && second ? `${first} ${second}` : first);
  return joined(a['db.system'], a['db.namespace']) ?? joined(a['messaging.system'], a['messaging.destination.name']);
}

/** The map of the spans starting in [fromMs, toMs] of the traces `keep` accepts. */
export function mapTruth(all: MapSpan[], fromMs: number, toMs: number, keep: (traceId: string) => boolean = () => true) {
  const spans = all.filter((span) => span.startMs >= fromMs && span.startMs <= toMs && keep(span.traceId));
  const byId = new Map(spans.map((span) => [`${span.traceId}/${span.spanId}`, span]));
  const nodes = new Map<string, TruthNode>();
  const node = (id: string, kind: TruthNode['kind']) => nodes.get(id) ?? nodes.set(id, { id, kind, requests: 0, errors: 0, durations: [] }).get(id)!;
  const edgeSpans = new Map<string, { source: string; target: string; spans: MapSpan[] }>();
  const edge = (source: string, target: string, span: MapSpan) => {
    const key = `${source}\u0000${target}`;
    (edgeSpans.get(key) ?? edgeSpans.set(key, { source, target, spans: [] }).get(key)!).spans.push(span);
  };
  let orphans = 0;
  let unnamed = 0;
  const callsOut = new Set<MapSpan>();
  for (const span of spans) {
    const service = node(span.service, 'service');
    if (span.kind === 'server' || span.kind === 'consumer' || !span.parentSpanId) {
      service.requests++;
      service.errors += span.error ? 1 : 0;
      service.durations.push(span.durationMs);
    }
    const parent = span.parentSpanId ? byId.get(`${span.traceId}/${span.parentSpanId}`) : undefined;
    if (span.parentSpanId && !parent) {
      orphans++;
    }
    if (parent && parent.service !== span.service) {
      callsOut.add(parent);
      edge(parent.service, span.service, span);
    }
  }
  for (const span of spans) {
    if ((span.kind === 'client' || span.kind === 'producer') && !callsOut.has(span)) {
      const peer = peerOf(span);
      if (peer === undefined) {
        unnamed++;
        continue;
      }
      edge(span.service, `peer:${peer}`, span);
      const virtual = node(`peer:${peer}`, 'virtual');
      virtual.requests++;
      virtual.errors += span.error ? 1 : 0;
      virtual.durations.push(span.durationMs);
    }
  }
  const edges: TruthEdge[] = [...edgeSpans.values()]
    .map(({ source, target, spans: calls }) => ({
      source,
      target,
      calls: calls.length,
      errors: calls.filter((span) => span.error).length,
      p50Ms: percentileOf(calls.map((span) => span.durationMs), 50),
      p95Ms: percentileOf(calls.map((span) => span.durationMs), 95),
    }))
    .sort((a, b) => (a.source + '\u0000' + a.target < b.source + '\u0000' + b.target ? -1 : 1));
  return { nodes: [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), edges, orphans, unnamed, spans: spans.length };
}
