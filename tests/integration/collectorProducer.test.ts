/**
 * The OpenTelemetry Collector's own exporters as the witness: SDK-made OTLP/JSON traces and logs are
 * POSTed to a collector built here from the Go module proxy, its exporter writes them into the
 * engine, and what `estraces` reads back is compared with the SDK's source spans, up to what the
 * schema cannot store (schemaLosses.ts) and what the exporter itself drops (EXPORTER_LOSSES below,
 * each from the exporter's source).
 *
 * - elasticsearchexporter v0.120.0, every mapping mode (otel, none, raw, ecs), on every test engine.
 *   Elasticsearch 7.10.2 and OpenSearch 2.19.1 are written through a loopback stand-in
 *   (producers/standIn.ts): the exporter's Go client refuses engines that do not answer as
 *   Elasticsearch 7.14+, and its otel mode asks for `require_data_stream`, which they reject.
 *   Elasticsearch 8, where it writes without a stand-in (and into data streams), comes with a later
 *   issue.
 * - opensearchexporter v0.115.0 (ss4o) on OpenSearch as it is, and on Elasticsearch 7 too: its
 *   opensearch-go v2 client accepts any engine that reports major version 7.
 */
import type { TraceSpanRow } from '@grafana/data';
import { type HrTime, ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateCorrelatedLogs, generateDemoTraces, generateLargeTrace } from '../../src/cli/sdkData';
import { spanToFrameRow } from '../../src/frames/traceRows';
import type { Attributes, LogicalSpan, SpanEvent } from '../../src/proto/model';
import { logRecordsFromOtlp, type OtlpTraceRequest, spansFromOtlp } from '../../src/proto/otlp';
import { assembleTrace } from '../../src/proto/trace';
import { itWhere, searchNeeds, type TestEngine, testEngines } from './engines';
import { canonicalRows, cliSearch, firstDifferingRows, nodeClient, runCli, uniqueIndex } from './helpers';
import {
  buildCollector,
  ES_COLLECTOR,
  OS_COLLECTOR,
  postOtlp,
  type RunningCollector,
  startCollector,
  waitForDocuments,
} from './producers/collector';
import { goAvailable } from '../../src/cli/producerProcess';
import { type StandIn, startStandIn } from './producers/standIn';
import { LOSSES, type SchemaLosses } from './schemaLosses';

// ---- the collectors ------------------------------------------------------------------------

// ---- the source ----------------------------------------------------------------------------

const NS_PER_MS = BigInt(1_000_000);
const TIMING_SERVICE = 'timing-probe';
const hrTime = (ns: bigint): HrTime => [Number(ns / BigInt(1e9)), Number(ns % BigInt(1e9))];

/**
 * The otel mode writes `@timestamp` as `<ms>.<ns remainder>` with the remainder unpadded
 * (otelserializer.writeTimestampField: `FormatUint(msec) + "." + FormatUint(nsec)`), so ".5" is
 * 5 ns, not half a millisecond. These traces start at sub-millisecond remainders of 0 to 6 digits,
 * trailing zeros included. Each trace's earliest start (the root) and latest end (an asynchronous
 * child that outlives it) lie on different spans, so a start misread by any amount changes the
 * trace's duration; the durations (whole microseconds) are chosen so that misreading ".5" or
 * ".4096" as fractions of a millisecond would also change the `slowest` order.
 */
const TIMING_TRACES: Array<{ rootRemainderNs: number; childRemaindersNs: [number, number]; durationUs: number }> = [
  { rootRemainderNs: 5, childRemaindersNs: [42, 307], durationUs: 10_200 },
  { rootRemainderNs: 4096, childRemaindersNs: [12_345, 987_654], durationUs: 10_000 },
  { rootRemainderNs: 10, childRemaindersNs: [0, 100_000], durationUs: 9_900 },
  { rootRemainderNs: 999_999, childRemaindersNs: [1, 120], durationUs: 10_100 },
];

/** OTLP/JSON of the spans `record` makes with a tracer of `service`, serialized as the SDK's exporter does. */
function sdkRequest(
  service: string,
  record: (tracer: Tracer) => string[]
): { request: OtlpTraceRequest; traceIds: string[] } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const traceIds = record(provider.getTracer(`${service}.scope`, '1.0.0'));
  const bytes = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans());
  if (!bytes) {
    throw new Error('the OTLP JSON trace serializer produced nothing');
  }
  return { request: JSON.parse(Buffer.from(bytes).toString('utf8')) as OtlpTraceRequest, traceIds };
}

function timingTraces(baseMs: number): { request: OtlpTraceRequest; traceIds: string[] } {
  return sdkRequest(TIMING_SERVICE, (tracer) =>
    TIMING_TRACES.map((shape, i) => {
      const rootStart = (BigInt(baseMs) + BigInt(i * 1000)) * NS_PER_MS + BigInt(shape.rootRemainderNs);
      const end = rootStart + BigInt(shape.durationUs) * BigInt(1000);
      const root = tracer.startSpan(
        'probe',
        { kind: SpanKind.SERVER, startTime: hrTime(rootStart), attributes: { 'probe.index': i } },
        ROOT_CONTEXT
      );
      const context = trace.setSpan(ROOT_CONTEXT, root);
      shape.childRemaindersNs.forEach((remainder, c) => {
        const start = (rootStart / NS_PER_MS + BigInt(1 + c)) * NS_PER_MS + BigInt(remainder);
        const child = tracer.startSpan(`step ${c}`, { kind: SpanKind.INTERNAL, startTime: hrTime(start) }, context);
        // The last child ends the trace; the first ends well before.
        child.end(hrTime(c === 1 ? end : start + BigInt(2_000_000)));
      });
      root.end(hrTime(end - BigInt(500_000)));
      return root.spanContext().traceId;
    })
  );
}

/** A span with two events of one name (and a third of another), as a retry loop records them. */
function repeatedEventTrace(startMs: number): { request: OtlpTraceRequest; traceIds: string[] } {
  return sdkRequest('edge-probe', (tracer) => {
    const start = BigInt(startMs) * NS_PER_MS + BigInt(314);
    const span = tracer.startSpan('retrying call', { kind: SpanKind.CLIENT, startTime: hrTime(start) }, ROOT_CONTEXT);
    span.addEvent(
      'retry',
      { 'retry.attempt': 1, 'retry.note': 'first try timed out' },
      hrTime(start + BigInt(1_000_123))
    );
    span.addEvent('retry', { 'retry.attempt': 2, 'retry.backoff_ms': 20 }, hrTime(start + BigInt(3_000_456)));
    span.addEvent('done', { 'call.result': 'ok' }, hrTime(start + BigInt(4_000_789)));
    span.end(hrTime(start + BigInt(5_000_000)));
    return [span.spanContext().traceId];
  });
}

/** A span where one attribute key is the prefix of another (a value and its unit). */
function prefixedKeyTrace(startMs: number): { request: OtlpTraceRequest; traceIds: string[] } {
  return sdkRequest('edge-probe', (tracer) => {
    const start = BigInt(startMs) * NS_PER_MS + BigInt(2718);
    const span = tracer.startSpan(
      'limited call',
      { kind: SpanKind.CLIENT, startTime: hrTime(start), attributes: { 'app.limit': 5, 'app.limit.unit': 'requests' } },
      ROOT_CONTEXT
    );
    span.end(hrTime(start + BigInt(1_000_000)));
    return [span.spanContext().traceId];
  });
}

const baseMs = Date.now() - 9 * 60_000;
const demo = generateDemoTraces({ traces: 6, seed: 41 });
const large = generateLargeTrace(3_000, { seed: 42 });
const timing = timingTraces(baseMs);
const logs = generateCorrelatedLogs(demo, { seed: 43 });
const repeatedEvent = repeatedEventTrace(baseMs + 60_000);
const prefixedKey = prefixedKeyTrace(baseMs + 61_000);
const GENERATED = [demo, large, timing, repeatedEvent];
const source: LogicalSpan[] = GENERATED.flatMap(({ request }) => spansFromOtlp(request));
const prefixedKeySpans = spansFromOtlp(prefixedKey.request);
const records = logRecordsFromOtlp(logs.request);
const eventsOf = (spans: LogicalSpan[]) => spans.reduce((sum, span) => sum + span.events.length, 0);

// ---- what the exporters drop (each from the exporter's source) -----------------------------

interface ExporterLoss {
  loss: string;
  project(span: LogicalSpan): LogicalSpan;
}

const byTime = (a: SpanEvent, b: SpanEvent) =>
  a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0;

/**
 * none, raw and ecs modes write a span as one flat list of fields (`Events.<name>.time`,
 * `Events.<name>.<key>`) and Document.Dedup (internal/objmodel) keeps the last of duplicate keys:
 * events sharing a name on one span become one, at the last one's time, with their attributes
 * merged, later values winning.
 */
const sameNameEventsMerge: ExporterLoss = {
  loss: 'events sharing a name on one span merge into one: the last time, attributes merged with later values winning (objmodel Dedup)',
  project: (span) => {
    const merged = new Map<string, SpanEvent>();
    for (const event of span.events) {
      const earlier = merged.get(event.name);
      merged.set(event.name, { ...event, attributes: { ...earlier?.attributes, ...event.attributes } });
    }
    return { ...span, events: [...merged.values()].sort(byTime) };
  },
};

/**
 * Document.Dedup again: "rename fields if a primitive value is overwritten by an object", so that
 * the document can be dedotted: of `app.limit` and `app.limit.unit`, the first is written as
 * `app.limit.value`. The reader cannot tell it from an attribute really named so.
 */
const prefixKeyGainsValue: ExporterLoss = {
  loss: "an attribute whose key prefixes another key is renamed '<key>.value' (objmodel Dedup)",
  project: (span) => {
    const rename = (attributes: Attributes): Attributes => {
      const keys = Object.keys(attributes);
      return Object.fromEntries(
        keys.map((key) => [keys.some((other) => other.startsWith(`${key}.`)) ? `${key}.value` : key, attributes[key]])
      );
    };
    return { ...span, attributes: rename(span.attributes), resourceAttributes: rename(span.resourceAttributes) };
  },
};

/**
 * The exporter's losses for each way of writing, applied after the schema's own (LOSSES). The
 * otel mode (otelserializer) and the ss4o mapping write every field the SDK's spans carry into
 * fields of their own; what they leave out for other data (otel: `data_stream.*`, mapping-hint and
 * document-id attributes, geo lat/lon merged; ss4o: resource values as text) is either not in this
 * source or already a schema loss.
 */
const EXPORTER_LOSSES: Record<string, ExporterLoss[]> = {
  otel: [],
  none: [sameNameEventsMerge, prefixKeyGainsValue],
  raw: [sameNameEventsMerge, prefixKeyGainsValue],
  ecs: [sameNameEventsMerge, prefixKeyGainsValue],
  ss4o: [],
};

// ---- expected values, computed from the source ---------------------------------------------


function schemaLosses(schema: string): SchemaLosses {
  const losses = (LOSSES as Record<string, SchemaLosses | undefined>)[schema];
  if (!losses) {
    throw new Error(`tests/integration/schemaLosses.ts has no LOSSES entry for schema '${schema}'`);
  }
  return losses;
}

function expectedRows(
  spans: LogicalSpan[],
  schema: string,
  exporterLosses: ExporterLoss[],
  traceId: string
): TraceSpanRow[] {
  const projected = spans
    .filter((span) => span.traceId === traceId)
    .map((span) =>
      exporterLosses.reduce(
        (projected, loss) => loss.project(projected),
        schemaLosses(schema).project({ ...span, source: { ...span.source, warnings: [] } })
      )
    )
    .map((span) => ({ ...span, source: { ...span.source, warnings: [...span.source.warnings] } }));
  return canonicalRows(assembleTrace(projected).spans.map(spanToFrameRow));
}

const STATUS_CODES = { unset: 0, ok: 1, error: 2 } as const;

/** Trace ids with a span of `service` (and `status`) in the source, as Jaeger's search matches. */
function matchingTraceIds(service: string, status?: (typeof STATUS_CODES)[keyof typeof STATUS_CODES]): string[] {
  return [
    ...new Set(
      source
        .filter((span) => span.serviceName === service && (status === undefined || span.statusCode === status))
        .map((span) => span.traceId)
    ),
  ].sort();
}

/**
 * A trace's first start and its duration (the last end minus the first start) from its source
 * spans, in whole microseconds, each time first truncated to `resolutionNs` as an engine field of
 * that resolution holds it.
 */
function traceTiming(traceId: string, resolutionNs: bigint): { startUs: number; durationUs: number } {
  const own = source.filter((span) => span.traceId === traceId);
  const truncate = (ns: bigint) => ns - (ns % resolutionNs);
  const start = own.map((span) => truncate(span.startTimeUnixNano)).reduce((a, b) => (a < b ? a : b));
  const end = own
    .map((span) => truncate(span.startTimeUnixNano + (span.durationNano ?? BigInt(0))))
    .reduce((a, b) => (a > b ? a : b));
  const roundedUs = (ns: bigint) => Number((ns + BigInt(500)) / BigInt(1000));
  return { startUs: roundedUs(start), durationUs: roundedUs(end - start) };
}

/** A log line's identity as `estraces logs` prints it and as the source has it. */
function logKey(line: { spanID: string | null; timestamp: number; body: unknown; severity: string | null }): string {
  return `${line.spanID}|${line.timestamp}|${String(line.body)}|${line.severity}`;
}

function sourceLogKeys(traceId: string): string[] {
  return records
    .filter((record) => record.traceId === traceId)
    .map((record) =>
      logKey({
        spanID: record.spanId ?? null,
        timestamp: Number(record.timeUnixNano / NS_PER_MS) + Number(record.timeUnixNano % NS_PER_MS) / 1e6,
        body: record.body,
        severity: record.severityText ?? null,
      })
    )
    .sort();
}

// ---- the cases -----------------------------------------------------------------------------

interface ProducerCase {
  /** e.g. `elasticsearchexporter otel mode`. */
  label: string;
  collector: 'es' | 'os';
  /** The key of EXPORTER_LOSSES. */
  writing: keyof typeof EXPORTER_LOSSES;
  /** The schema `estraces detect` must name. */
  schema: string;
  standIn: boolean;
  /** Span events are documents of their own in the spans index. */
  eventDocuments: boolean;
  /**
   * Whether a span with attribute keys `app.limit` and `app.limit.unit` is sent: where the
   * exporter writes attributes as they are (otel, ss4o), the engines' dynamic mapping refuses it
   * ("can't merge a non object mapping [attributes.app.limit] with an object mapping"), so only the layouts
   * whose exporter renames the value get it.
   */
  prefixedKeys: boolean;
  /**
   * The resolution of the start and end times the engine aggregates for search: the otel mode's
   * "ms.ns" text keeps nanoseconds; the ISO times of the other layouts are mapped dynamically as
   * `date`, which holds milliseconds.
   */
  searchResolutionNs: bigint;
  /** The span and logs indices the exporter writes for a unique name. */
  indices(unique: string): { spans: string; logs: string };
  exporter(target: { spans: string; logs: string; unique: string; endpoint: string }): {
    id: string;
    config: Record<string, unknown>;
  };
}

function elasticsearchExporterCase(mode: 'otel' | 'none' | 'raw' | 'ecs', schema: string): ProducerCase {
  return {
    label: `elasticsearchexporter ${mode} mode`,
    collector: 'es',
    writing: mode,
    schema,
    // Every engine here needs it (Elasticsearch 8, which would not, comes with a later issue).
    standIn: true,
    eventDocuments: mode === 'otel',
    prefixedKeys: mode !== 'otel',
    searchResolutionNs: mode === 'otel' ? BigInt(1) : NS_PER_MS,
    indices: (unique) => ({ spans: `${unique}-spans`, logs: `${unique}-logs` }),
    exporter: ({ spans, logs, endpoint }) => ({
      id: 'elasticsearch',
      config: {
        endpoints: [endpoint],
        mapping: { mode },
        // Static indices (the dynamic routing settings are off by default in v0.120.0).
        traces_index: spans,
        logs_index: logs,
        // Plain bodies, so the stand-in (and anyone reading its traffic) sees the documents.
        compression: 'none',
        // A set `batcher::enabled` makes the exporter send each request synchronously (no flush timer).
        batcher: { enabled: false },
        retry: { enabled: true, max_retries: 2 },
      },
    }),
  };
}

function casesFor(engine: TestEngine): ProducerCase[] {
  const cases = [
    elasticsearchExporterCase('otel', 'otel'),
    elasticsearchExporterCase('none', 'otel-raw'),
    elasticsearchExporterCase('raw', 'otel-raw'),
    // v0.120.0 writes ecs-mode spans in the none layout (encodeSpan has no ecs branch), dedotted.
    elasticsearchExporterCase('ecs', 'otel-raw'),
  ];
  if (engine.kind === 'opensearch' || (engine.kind === 'elasticsearch' && engine.version.startsWith('7.'))) {
    cases.push({
      label: 'opensearchexporter ss4o',
      collector: 'os',
      writing: 'ss4o',
      schema: 'ss4o',
      standIn: false,
      eventDocuments: false,
      prefixedKeys: false,
      searchResolutionNs: NS_PER_MS,
      // The exporter names its indices itself: ss4o_traces-<dataset>-<namespace>, ss4o_logs-<dataset>-<namespace>.
      indices: (unique) => ({ spans: `ss4o_traces-estraces-${unique}`, logs: `ss4o_logs-estraces-${unique}` }),
      exporter: ({ unique, endpoint }) => ({
        id: 'opensearch',
        config: { http: { endpoint }, dataset: 'estraces', namespace: unique, mapping: { mode: 'ss4o' } },
      }),
    });
  }
  return cases;
}

// ---- the suite -----------------------------------------------------------------------------

const goMissing = goAvailable();
if (goMissing) {
  process.stdout.write(`collectorProducer.test.ts is skipped: the collector is built with Go, and ${goMissing}\n`);
}
const describeWithGo = goMissing ? describe.skip : describe;

const BUILD_TIMEOUT_MS = 40 * 60_000;
const binaries: { es?: string; os?: string } = {};

describeWithGo('the OpenTelemetry Collector writes, estraces reads', () => {
  beforeAll(async () => {
    const log = (line: string) => process.stdout.write(`collectorProducer: ${line}\n`);
    binaries.es = await buildCollector({ ...ES_COLLECTOR, log });
    binaries.os = await buildCollector({ ...OS_COLLECTOR, log });
  }, BUILD_TIMEOUT_MS);

  describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
    describe.each(casesFor(engine).map((c) => [c.label, c] as const))('%s', (_caseLabel, c) => {
      // Letters and digits only, as the ss4o exporter's namespace must be.
      const unique = uniqueIndex(`collector${c.writing}`).replace(/[^a-z0-9]/g, '');
      const { spans: spansIndex, logs: logsIndex } = c.indices(unique);
      const client = nodeClient(engine.url);
      const sent = c.prefixedKeys ? [...GENERATED, prefixedKey] : GENERATED;
      const spans = c.prefixedKeys ? [...source, ...prefixedKeySpans] : source;
      let standIn: StandIn | undefined;
      let collector: RunningCollector | undefined;

      beforeAll(async () => {
        standIn = c.standIn ? await startStandIn(engine.url) : undefined;
        const endpoint = standIn?.url ?? engine.url;
        const exporter = c.exporter({ spans: spansIndex, logs: logsIndex, unique, endpoint });
        collector = await startCollector({
          binary: c.collector === 'es' ? binaries.es! : binaries.os!,
          exporterId: exporter.id,
          exporter: exporter.config,
          workDir: mkdtempSync(join(tmpdir(), `estraces-${c.collector}-collector-`)),
        });
        for (const { request } of sent) {
          await postOtlp(collector, 'traces', request);
        }
        await postOtlp(collector, 'logs', logs.request);
        await waitForDocuments({
          client,
          index: spansIndex,
          expected: spans.length + (c.eventDocuments ? eventsOf(spans) : 0),
          collector,
          timeoutMs: 300_000,
        });
        await waitForDocuments({ client, index: logsIndex, expected: records.length, collector, timeoutMs: 300_000 });
      }, 600_000);

      afterAll(async () => {
        await collector?.stop();
        await standIn?.stop();
      });

      if (c.standIn) {
        it('reached the engine through the stand-in, which took require_data_stream off the bulk requests that asked for it', () => {
          const bulks = standIn!.forwarded.filter(
            (request) => request.method === 'POST' && request.original.startsWith('/_bulk')
          );
          expect(bulks.length).toBeGreaterThan(0);
          // otelserializer's documents go to data streams only: the exporter asks the engine to refuse anything else.
          expect(bulks.every((request) => request.original.includes('require_data_stream=true'))).toBe(
            c.writing === 'otel'
          );
          expect(bulks.filter((request) => request.sent.includes('require_data_stream'))).toEqual([]);
        });
      }

      it(`is detected as ${c.schema}`, async () => {
        const detected = await runCli(['detect', '--url', engine.url, '--index', spansIndex]);
        expect(detected.stderr).toBe('');
        expect(JSON.parse(detected.stdout).schema).toBe(c.schema);
      });

      it("returns every trace as the SDK made it, up to the schema's and the exporter's losses", async () => {
        for (const traceId of sent.flatMap(({ traceIds }) => traceIds)) {
          const run = await runCli([
            'trace',
            traceId,
            '--url',
            engine.url,
            '--index',
            spansIndex,
            '--max-spans',
            '100000',
          ]);
          expect(run.stderr).toBe('');
          const output = JSON.parse(run.stdout) as { spans: TraceSpanRow[]; warnings: string[] };
          const expected = expectedRows(spans, c.schema, EXPORTER_LOSSES[c.writing], traceId);
          expect(output.spans).toHaveLength(expected.length);
          expect(firstDifferingRows(output.spans, expected)).toEqual([]);
          expect(output.warnings).toEqual([]);
        }
      });

      /** Search summarises trace ends, a painless script where the layout stores no end time. */
      const scripted = itWhere(engine, searchNeeds(c.schema));
      const searches: Array<{ filters: string; service: string; status?: 'unset' | 'ok' | 'error' }> = [
        { filters: 'service frontend', service: 'frontend' },
        { filters: 'service payment, status error', service: 'payment', status: 'error' },
        { filters: 'service payment, status ok', service: 'payment', status: 'ok' },
        { filters: 'service batch-2 (the large trace)', service: 'batch-2' },
        { filters: `service ${TIMING_SERVICE}, status unset`, service: TIMING_SERVICE, status: 'unset' },
      ];
      for (const query of searches) {
        scripted(`search by ${query.filters} returns the source's trace ids`, async () => {
          const expected = matchingTraceIds(query.service, query.status === undefined ? undefined : STATUS_CODES[query.status]);
          expect(expected.length).toBeGreaterThan(0);
          const traces = await cliSearch(['--url', engine.url, '--index', spansIndex, '--service', query.service, ...(query.status ? ['--status', query.status] : []), '--limit', '1000']);
          const found = traces.map((t) => t.traceID).sort();
          expect(found).toEqual(expected);
        });
      }

      scripted('ranks by duration, and gives starts and durations, as the source has them: starts with sub-millisecond remainders of 0 to 6 digits included', async () => {
        // The command prints float milliseconds (the engine aggregates epoch milliseconds as doubles,
        // good to a quarter of a microsecond today), so both sides are compared in whole microseconds.
        const found = (await cliSearch(['--url', engine.url, '--index', spansIndex, '--service', TIMING_SERVICE, '--sort', 'slowest', '--limit', '10'])).map((t) => ({
          traceID: t.traceID,
          startUs: Math.round(t.startTime * 1000),
          durationUs: Math.round(t.duration * 1000),
          spans: t.spans,
        }));
        const expected = timing.traceIds
          .map((traceID) => ({ traceID, ...traceTiming(traceID, c.searchResolutionNs), spans: 3 }))
          .sort((a, b) => b.durationUs - a.durationUs || (a.traceID < b.traceID ? -1 : 1));
        expect(found).toEqual(expected);
      });

      it("returns each trace's logs by trace id", async () => {
        for (const traceId of demo.traceIds) {
          const run = await runCli([
            'logs',
            '--url',
            engine.url,
            '--index',
            logsIndex,
            '--trace-id',
            traceId,
            '--limit',
            '1000',
          ]);
          expect(run.stderr).toBe('');
          const lines = JSON.parse(run.stdout).logs as Array<{
            spanID: string | null;
            timestamp: number;
            body: unknown;
            severity: string | null;
            traceID: string | null;
          }>;
          expect(lines.map(logKey).sort()).toEqual(sourceLogKeys(traceId));
          expect(lines.every((line) => line.traceID === traceId)).toBe(true);
        }
      });
    });
  });
});
