/**
 * OTLP/JSON made with the real OpenTelemetry JS SDK, for the demo, the tests and the benchmarks.
 * Spans come from tracers (one provider per service, since the resource is the service), with
 * context propagated through the API; logs come from the logs SDK with the active span context.
 * The otlp-transformer's JSON serializer writes ids as hex and times as decimal nanosecond strings.
 */
import { context, type Context, type Link, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type Tracer, type Attributes as OtelAttributes, type HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, type IdGenerator, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { writeFileSync } from 'node:fs';

import type { OtlpLogsRequest, OtlpTraceRequest } from '../proto/otlp';
import { seededRandom } from './seededRandom';

export interface GeneratedTraces {
  request: OtlpTraceRequest;
  traceIds: string[];
  spanCount: number;
}

/** The same traces as the SDK's finished spans, for exporters other than OTLP (Zipkin's). */
export interface GeneratedSpans extends GeneratedTraces {
  spans: ReadableSpan[];
}


function hex(random: () => number, digits: number): string {
  let text = '';
  while (text.length < digits) {
    text += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  }
  return text.slice(0, digits);
}

function idGenerator(random: () => number): IdGenerator {
  return { generateTraceId: () => hex(random, 32), generateSpanId: () => hex(random, 16) };
}

const hrTime = (ns: bigint): HrTime => [Number(ns / BigInt(1e9)), Number(ns % BigInt(1e9))];

/** A set of per-service tracers writing into one in-memory exporter. */
class Shop {
  private readonly exporter = new InMemorySpanExporter();
  private readonly providers = new Map<string, BasicTracerProvider>();
  private readonly tracers = new Map<string, Tracer>();

  constructor(
    private readonly random: () => number,
    private readonly extraResource: (service: string) => OtelAttributes = () => ({})
  ) {}

  tracer(service: string): Tracer {
    let tracer = this.tracers.get(service);
    if (!tracer) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'service.version': '1.4.2', 'deployment.environment.name': 'demo', ...this.extraResource(service) }),
        idGenerator: idGenerator(this.random),
        spanProcessors: [new SimpleSpanProcessor(this.exporter)],
      });
      this.providers.set(service, provider);
      tracer = provider.getTracer(`shop.${service}`, '0.9.0');
      this.tracers.set(service, tracer);
    }
    return tracer;
  }

  request(): { request: OtlpTraceRequest; spanCount: number; spans: ReadableSpan[] } {
    const spans = this.exporter.getFinishedSpans();
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (!bytes) {
      throw new Error('the OTLP JSON trace serializer produced nothing');
    }
    return { request: JSON.parse(Buffer.from(bytes).toString('utf8')) as OtlpTraceRequest, spanCount: spans.length, spans };
  }
}

interface Clock {
  at(offsetNs: number): HrTime;
}

function clockFrom(startNs: bigint): Clock {
  return { at: (offsetNs: number) => hrTime(startNs + BigInt(Math.round(offsetNs))) };
}

/** Start a span as a child of `parent` (or a root), with explicit times so runs are reproducible. */
function child(tracer: Tracer, name: string, kind: SpanKind, parent: Context, startTime: HrTime, attributes: OtelAttributes = {}, links: Link[] = []): { span: Span; ctx: Context } {
  const span = tracer.startSpan(name, { kind, attributes, startTime, links }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

const HOSTILE_QUERY = 'name:"quoted" AND (x OR y) back\\slash a*b? {}[] <tag>&amp; /path?q=1&r=2';
const UNICODE_NOTE = 'café ☕ 日本語 🚀 Ünïcödé';

/** One checkout trace across six services; returns its trace id and the producer span for links. */
function checkoutTrace(shop: Shop, random: () => number, index: number, startNs: bigint, previousProducer?: Span): { traceId: string; producer: Span } {
  const clock = clockFrom(startNs);
  const jitter = () => Math.floor(random() * 997);
  const failing = index % 3 === 2;
  const vip = index % 2 === 0;

  const root = child(shop.tracer('frontend'), index % 4 === 1 ? 'GET /search?q="x"&y=*' : 'POST /api/checkout', SpanKind.SERVER, ROOT_CONTEXT, clock.at(0), {
    'http.request.method': 'POST',
    'http.route': '/api/checkout',
    'url.query': HOSTILE_QUERY,
    'app.user.vip': vip,
    'app.note': UNICODE_NOTE,
    'app.tags': ['web', 'checkout', 'ünï'],
    'app.quantities': [1, 2, 3],
    'app.flags': [true, false],
  });
  const call = child(shop.tracer('frontend'), 'POST checkout:8080/place', SpanKind.CLIENT, root.ctx, clock.at(1_000_000 + jitter()), { 'server.address': 'checkout', 'server.port': 8080 });
  const place = child(shop.tracer('checkout'), 'PlaceOrder', SpanKind.SERVER, call.ctx, clock.at(1_500_000 + jitter()), { 'rpc.system': 'grpc', 'app.cart.items': 3 + (index % 4), 'app.order.total': 12.34 + index });
  place.span.addEvent('order.validated', { 'app.rule': 'stock>0 && price>0', 'app.rules.checked': 7 }, clock.at(1_700_000 + jitter()));

  const validate = child(shop.tracer('checkout'), 'validate cart', SpanKind.INTERNAL, place.ctx, clock.at(2_000_000 + jitter()));
  validate.span.end(clock.at(4_000_000 + jitter()));

  const cart = child(shop.tracer('cart'), 'GetCart', SpanKind.SERVER, place.ctx, clock.at(4_100_000 + jitter()), { 'app.cart.id': `cart:${index}`, 'db.system': 'redis' });
  cart.span.addEvent('cache.miss', { 'cache.key': `cart:${index}`, 'cache.note': HOSTILE_QUERY }, clock.at(4_300_000 + jitter()));
  cart.span.end(clock.at(9_000_000 + jitter()));

  const payment = child(shop.tracer('payment'), 'Charge', SpanKind.SERVER, place.ctx, clock.at(9_500_000 + jitter()), { 'app.payment.method': vip ? 'card' : 'voucher', 'app.payment.amount': 12.34 + index });
  if (failing) {
    const error = new Error('card declined: "insufficient funds"');
    error.stack = `Error: card declined: "insufficient funds"\n    at charge (payment/charge.js:42:11)\n    at processPayment (payment/index.js:17:5)`;
    payment.span.recordException(error, clock.at(19_000_000 + jitter()));
    payment.span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined: "insufficient funds"' });
    place.span.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed' });
  } else {
    payment.span.setStatus({ code: SpanStatusCode.OK });
  }
  payment.span.end(clock.at(20_000_000 + jitter()));

  const inventory = child(shop.tracer('inventory'), 'Reserve', SpanKind.SERVER, place.ctx, clock.at(20_500_000 + jitter()), { 'app.sku': `SKU-${1000 + index}`, 'app.warehouse': 'Zürich' });
  inventory.span.end(clock.at(25_000_000 + jitter()));

  const producer = child(shop.tracer('checkout'), 'order.placed publish', SpanKind.PRODUCER, place.ctx, clock.at(25_500_000 + jitter()), { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' });
  producer.span.end(clock.at(26_000_000 + jitter()));

  // The consumer of the previous order links back to its producer: a link to another trace.
  const links: Link[] = previousProducer ? [{ context: previousProducer.spanContext(), attributes: { 'link.reason': 'batched order', 'link.note': UNICODE_NOTE } }] : [];
  const consumer = child(shop.tracer('email'), 'order.placed process', SpanKind.CONSUMER, producer.ctx, clock.at(27_000_000 + jitter()), { 'messaging.system': 'kafka' }, links);
  consumer.span.addEvent('email.sent', { 'email.to.domain': 'example.com' }, clock.at(30_000_000 + jitter()));
  consumer.span.end(clock.at(31_000_000 + jitter()));

  place.span.end(clock.at(32_000_000 + jitter()));
  call.span.end(clock.at(33_000_000 + jitter()));
  root.span.end(clock.at(34_000_000 + jitter()));
  return { traceId: root.span.spanContext().traceId, producer: producer.span };
}

export function generateDemoTraces(opts: { traces?: number; seed?: number; baseTimeMs?: number } = {}): GeneratedTraces {
  const { request, traceIds, spanCount } = generateDemoSpans(opts);
  return { request, traceIds, spanCount };
}

/** generateDemoTraces with the SDK's finished spans beside the OTLP request. */
export function generateDemoSpans(opts: { traces?: number; seed?: number; baseTimeMs?: number } = {}): GeneratedSpans {
  const random = seededRandom(opts.seed ?? 1);
  const shop = new Shop(random, (service) => ({ 'host.name': `${service}-host-1`, 'service.namespace': 'shop' }));
  const baseNs = BigInt(opts.baseTimeMs ?? Date.now() - 10 * 60_000) * BigInt(1_000_000) + BigInt(123_457);
  const traceIds: string[] = [];
  let producer: Span | undefined;
  for (let i = 0; i < (opts.traces ?? 20); i++) {
    const result = checkoutTrace(shop, random, i, baseNs + BigInt(i) * BigInt(2_000_000_000), producer);
    traceIds.push(result.traceId);
    producer = result.producer;
  }
  const { request, spanCount, spans } = shop.request();
  return { request, traceIds, spanCount, spans };
}

/** One trace of exactly `spanCount` spans: a fan-out tree at most 8 levels deep over a few services. */
export function generateLargeTrace(spanCount: number, opts: { seed?: number; baseTimeMs?: number; services?: number } = {}): GeneratedTraces {
  const { request, traceIds, spanCount: count } = generateLargeTraceSpans(spanCount, opts);
  return { request, traceIds, spanCount: count };
}

/** generateLargeTrace with the SDK's finished spans beside the OTLP request. */
export function generateLargeTraceSpans(spanCount: number, opts: { seed?: number; baseTimeMs?: number; services?: number } = {}): GeneratedSpans {
  const random = seededRandom(opts.seed ?? 1);
  const shop = new Shop(random);
  const services = Array.from({ length: opts.services ?? 5 }, (_, i) => `batch-${i}`);
  const baseNs = BigInt(opts.baseTimeMs ?? Date.now() - 10 * 60_000) * BigInt(1_000_000) + BigInt(777);
  const spans: Array<{ span: Span; ctx: Context; depth: number; startNs: bigint }> = [];
  const root = child(shop.tracer(services[0]), 'batch run', SpanKind.SERVER, ROOT_CONTEXT, hrTime(baseNs), { 'app.batch.size': spanCount });
  spans.push({ ...root, depth: 1, startNs: baseNs });
  for (let i = 1; i < spanCount; i++) {
    // Prefer recent spans as parents (deep chains), falling back to any shallow enough span.
    let parent = spans[Math.max(0, spans.length - 1 - Math.floor(random() * 8))];
    if (parent.depth >= 8) {
      parent = spans[Math.floor(random() * Math.min(spans.length, 64))];
    }
    const startNs = parent.startNs + BigInt(1 + Math.floor(random() * 50_000));
    const service = services[Math.floor(random() * services.length)];
    const created = child(shop.tracer(service), `step ${i % 200}`, i % 10 === 0 ? SpanKind.CLIENT : SpanKind.INTERNAL, parent.ctx, hrTime(startNs), { 'app.step': i, 'app.shard': i % 16 });
    spans.push({ ...created, depth: parent.depth + 1, startNs });
  }
  for (let i = spans.length - 1; i >= 0; i--) {
    spans[i].span.end(hrTime(spans[i].startNs + BigInt(10_000 + Math.floor(random() * 900_000))));
  }
  const { request, spanCount: count, spans: finished } = shop.request();
  return { request, traceIds: [root.span.spanContext().traceId], spanCount: count, spans: finished };
}

/**
 * Logs emitted by the logs SDK inside the spans of `traces` (their context carries the trace and
 * span ids), plus a few logs outside any span.
 */
export function generateCorrelatedLogs(traces: GeneratedTraces, opts: { seed?: number; perSpan?: number } = {}): { request: OtlpLogsRequest; count: number } {
  const random = seededRandom(opts.seed ?? 2);
  const exporter = new InMemoryLogRecordExporter();
  const providers = new Map<string, LoggerProvider>();
  const logger = (service: string) => {
    let provider = providers.get(service);
    if (!provider) {
      provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [new SimpleLogRecordProcessor({ exporter })] });
      providers.set(service, provider);
    }
    return provider.getLogger(`shop.${service}.logs`, '0.9.0');
  };
  const perSpan = opts.perSpan ?? 1;
  for (const resourceSpans of traces.request.resourceSpans) {
    const service = String(resourceSpans.resource?.attributes?.find((kv) => kv.key === 'service.name')?.value?.stringValue ?? 'unknown_service');
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const spanContext = trace.setSpanContext(context.active(), { traceId: span.traceId, spanId: span.spanId, traceFlags: 1 });
        const startNs = BigInt(span.startTimeUnixNano);
        const failed = span.status?.code === 2;
        for (let i = 0; i < perSpan; i++) {
          const at = hrTime(startNs + BigInt(1_000 + Math.floor(random() * 100_000)));
          logger(service).emit({
            timestamp: at,
            observedTimestamp: at,
            severityNumber: failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
            severityText: failed ? 'ERROR' : 'INFO',
            body: failed ? `${span.name} failed: ${span.status?.message ?? ''}` : `${span.name} handled (${UNICODE_NOTE})`,
            attributes: { 'app.log.index': i, 'code.function': span.name },
            context: spanContext,
          });
        }
      }
    }
  }
  for (let i = 0; i < 3; i++) {
    const at: HrTime = [Math.floor(Date.now() / 1000) - 600 + i, 42];
    logger('frontend').emit({ timestamp: at, observedTimestamp: at, severityNumber: SeverityNumber.WARN, severityText: 'WARN', body: `health probe slow (${i})`, attributes: { 'app.probe': true }, context: ROOT_CONTEXT });
  }
  const records = exporter.getFinishedLogRecords();
  const bytes = JsonLogsSerializer.serializeRequest(records);
  if (!bytes) {
    throw new Error('the OTLP JSON logs serializer produced nothing');
  }
  return { request: JSON.parse(Buffer.from(bytes).toString('utf8')) as OtlpLogsRequest, count: records.length };
}

export function writeOtlpFile(path: string, request: OtlpTraceRequest | OtlpLogsRequest): void {
  writeFileSync(path, JSON.stringify(request));
}
