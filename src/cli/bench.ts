/**
 * `npm run bench`: loads deterministic data once into the embedded engine (otel and jaeger
 * layouts; 100,000 and 1,000,000 spans, plus traces of 1,000, 20,000 and 100,000 spans), then
 * measures the query core end to end through the Node transport beside the raw engine time for
 * the same work. Medians and p95 of at least 10 runs after warm-up; a table on stdout and
 * benchmarks/results.json (results-quick.json for `--quick`, which measures the 100,000-span
 * data set only). Where Jaeger v2 can be built (Go), Jaeger's own query service reads the jaeger
 * data beside ours (benchJaeger.ts). `--ingest-memory` instead measures the peak memory of
 * `estraces ingest` on a ~200 MB file (see benchIngestMemory).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { EngineClient, type SearchHit, totalHits } from '../engine/client';
import { createNodeTransport } from '../engine/nodeTransport';
import type { EngineRequest, EngineTransport } from '../engine/transport';
import { traceSpansToFrame } from '../frames/traceFrame';
import { jaegerSchema } from '../proto/jaeger';
import { isOtelEventDocument, otelSchema } from '../proto/otel';
import type { IndexGroup, Resolution } from '../proto/detect';
import type { SpanSchema } from '../proto/schema';
import { assembleTrace } from '../proto/trace';
import { findOperations, findServices } from '../query/discovery';
import { ingest } from '../query/ingest';
import { resolvePattern } from '../query/resolve';
import { endSource, exactFields, rangedSpanClauses, startSource } from '../query/searchClauses';
import { buildMetricsRequest, buildOperationTableRequest, operationTable, spanMetrics } from '../query/metrics';
import { matchingTraceTimings, parseSearchInput, type SearchInput, searchTraces } from '../query/search';
import { buildEdgeSpansRequest, buildNodeStatsRequest, sampleShare, serviceMap } from '../query/serviceMap';
import { DEFAULT_SERVICE_MAP_SPANS } from '../types';
import { buildTraceByIdRequest } from '../query/traceById';
import { runTraceQuery } from '../query/traceQuery';
import { builtCliIsCurrent } from '../../bin/launch';
import { benchBatches, type BenchSpec, bigTrace, operationNames, serviceNames } from './benchData';
import { viewTrace } from './benchTrace';
import { benchJaeger } from './benchJaeger';
import { type EngineKind, ensureEngine } from './engineRunner';

/** Bump when the generated data changes, so stale loads are replaced. */
const DATA_VERSION = 1;
const META_INDEX = 'estraces-bench-meta';
const BIG_SIZES = [1_000, 20_000, 100_000];
/** A fixed day, so every run and machine sees the same data in the same window. */
const END_MS = Date.UTC(2026, 0, 2);
const WINDOW = { fromNs: BigInt(END_MS - 24 * 3_600_000) * BigInt(1_000_000), toNs: BigInt(END_MS) * BigInt(1_000_000) };
const SCHEMAS: SpanSchema[] = [otelSchema, jaegerSchema];

interface Result {
  name: string;
  medianMs: number;
  p95Ms: number;
  rawMs?: number;
  ratio?: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function spec(spans: number): BenchSpec {
  return { spans, hours: 24, endMs: END_MS, services: 20, operationsPerService: 10, errorRate: 0.05, seed: 20_260_101 + spans };
}

/** Loads `write` into `index` unless the meta document says this version is already there. */
async function ensureLoaded(client: EngineClient, index: string, description: JsonMeta, write: () => Promise<number>): Promise<JsonMeta> {
  const meta = (await client.getDocument(META_INDEX, index).catch(() => undefined)) as JsonMeta | undefined;
  if (meta && meta.version === DATA_VERSION && meta.description === description.description) {
    return meta;
  }
  log(`loading ${index}: ${description.description}`);
  await client.deleteIndex(`${index},${index}-logs`);
  const started = Date.now();
  const spans = await write();
  const loaded = { ...description, version: DATA_VERSION, spans, loadSeconds: Math.round((Date.now() - started) / 1000) };
  await client.putDocument(META_INDEX, index, loaded);
  log(`  ${spans} spans in ${loaded.loadSeconds} s`);
  return loaded;
}

type JsonMeta = { description: string; version?: number; spans?: number; loadSeconds?: number; traceIds?: string[] };

async function loadSpans(client: EngineClient, schema: SpanSchema, index: string, batches: Iterable<Parameters<typeof ingest>[1]['spans']>): Promise<number> {
  let spans = 0;
  for (const batch of batches) {
    const report = await ingest(client, { schema, index, spans: batch, logs: [] });
    if (report.failed > 0) {
      throw new Error(`loading ${index} failed for ${report.failed} documents: ${report.errors[0]}`);
    }
    spans += batch.length;
  }
  return spans;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** `--only REGEX`: measure just the benchmarks whose names match (data is still loaded). */
let only: RegExp | undefined;

/** Median and p95 of `runs` timed calls after `warmup` untimed ones. */
async function measure(runs: number, work: () => Promise<unknown>, warmup = 2): Promise<{ medianMs: number; p95Ms: number }> {
  for (let i = 0; i < warmup; i++) {
    await work();
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { medianMs: round(percentile(times, 0.5)), p95Ms: round(percentile(times, 0.95)) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
/** A ratio to two decimals, as the report gives every ratio. */
const ratioOf = (value: number) => Number(value.toFixed(2));

/** The same documents the core reads, with the fewest plain requests (10,000-hit pages) and no conversion. */
async function rawTraceFetch(client: EngineClient, schema: SpanSchema, index: string, traceId: string): Promise<SearchHit[]> {
  const resolution = await resolvePattern(client, `${index},${index}-logs`, schema.name);
  const hits: SearchHit[] = [];
  for (const group of resolution.groups) {
    for (const documents of group.schema.eventDocumentField ? (['spans', 'events'] as const) : (['spans'] as const)) {
      await fetchAll(client, group.indices.join(','), (after) => buildTraceByIdRequest({ schema: group.schema, catalog: group.catalog, traceId, pageSize: 10_000, searchAfter: after, documents }).body, hits);
    }
  }
  return hits;
}

async function fetchAll(client: EngineClient, indices: string, body: (after?: unknown[]) => Record<string, unknown>, hits: SearchHit[]): Promise<void> {
  let after: unknown[] | undefined;
  for (;;) {
    const page = await client.search(indices, body(after));
    const pageHits = page.hits?.hits ?? [];
    hits.push(...pageHits);
    if (pageHits.length < 10_000) {
      return;
    }
    after = pageHits[pageHits.length - 1].sort;
  }
}

/** What one conversion figure holds: speed, and the heap it takes. */
interface ConversionFigures {
  spansPerSec?: number;
  /** Peak heap above the start over the timed runs back to back (garbage of earlier runs included): the measure the issue gave. */
  peakMb?: number;
  /** Heap in use just after one conversion started from a collected heap (its uncollected garbage included). */
  onePeakMb?: number;
  /** Heap the finished frame keeps once the garbage is collected. */
  frameMb?: number;
}

/** Keeps a result alive through a collection. */
const keptAlive: unknown[] = [];

/**
 * One conversion's memory, from a collected heap each time (median of 5): the heap in use just
 * after it, which holds what it allocated and the collector has not reclaimed yet (a sample at its
 * end, not the peak within it), and what its result keeps after a full collection. The collector is
 * reached as node --expose-gc gives it.
 */
function conversionMemory(convert: () => unknown): Pick<ConversionFigures, 'onePeakMb' | 'frameMb'> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const after: number[] = [];
  const kept: number[] = [];
  for (let i = 0; i < 5; i++) {
    keptAlive.length = 0;
    gc();
    const before = process.memoryUsage().heapUsed;
    keptAlive.push(convert());
    after.push(process.memoryUsage().heapUsed - before);
    gc();
    kept.push(process.memoryUsage().heapUsed - before);
  }
  keptAlive.length = 0;
  const median = (values: number[]) => Math.round(values.sort((a, b) => a - b)[values.length >> 1] / 1e6);
  return { onePeakMb: median(after), frameMb: median(kept) };
}

async function benchTraces(client: EngineClient, schema: SpanSchema, runs: number, results: Result[], conversion: ConversionFigures): Promise<void> {
  const index = `estraces-bench-${schema.name}-big`;
  const traces = BIG_SIZES.map((size, i) => bigTrace(size, END_MS - 12 * 3_600_000 + i * 60_000, 7 + i));
  const meta = await ensureLoaded(client, index, { description: `traces of ${BIG_SIZES.join(', ')} spans`, traceIds: traces.map((trace) => trace[0].traceId) }, () => loadSpans(client, schema, index, traces));
  const resolution = await resolvePattern(client, `${index},${index}-logs`, schema.name);
  for (const [i, size] of BIG_SIZES.entries()) {
    if (only && !only.test(`${schema.name} trace ${size / 1000}k`)) {
      continue;
    }
    const traceId = meta.traceIds![i];
    const core = await measure(runs, () => viewTrace(client, traceId, resolution, size, index));
    const raw = await measure(runs, () => rawTraceFetch(client, schema, index, traceId));
    results.push({ name: `${schema.name} trace ${size / 1000}k`, ...core, rawMs: raw.medianMs, ratio: ratioOf(core.medianMs / raw.medianMs) });
    log(`  ${schema.name} trace ${size}: ${core.medianMs} ms (raw ${raw.medianMs} ms)`);
    if (size === 100_000 && schema === otelSchema) {
      const hits = await rawTraceFetch(client, schema, index, traceId);
      const convert = (documents: SearchHit[]) => traceSpansToFrame(assembleTrace(schema.readHits(documents.filter((hit) => !isOtelEventDocument(hit._source ?? {}))).spans).spans);
      const before = process.memoryUsage().heapUsed;
      let peak = before;
      const timed = await measure(runs, async () => {
        convert(hits);
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      });
      conversion.spansPerSec = Math.round(size / (timed.medianMs / 1000));
      conversion.peakMb = Math.round((peak - before) / 1e6);
      Object.assign(conversion, conversionMemory(() => convert(hits)));
      results.push({ name: 'conversion 100k (documents -> spans -> frame)', ...timed });
      log(`  conversion: ${conversion.spansPerSec} spans/s, peak heap +${conversion.peakMb} MB over the timed runs, +${conversion.onePeakMb} MB after one run from a collected heap, ${conversion.frameMb} MB kept by the frame`);
    }
  }
  if (schema === otelSchema) {
    await benchParallelFetch(client, runs, results);
  }
}

/**
 * The 100,000-span trace on an index of three shards: our trace by id, which reads the pages after
 * the first in parallel slices (one shard each), beside one sequence of plain 10,000-hit pages of
 * the same documents, the fastest a reader without slices can fetch them.
 */
async function benchParallelFetch(client: EngineClient, runs: number, results: Result[]): Promise<void> {
  const name = 'otel trace 100k, 3 shards (parallel) vs sequential';
  const index = 'estraces-bench-otel-big3';
  const size = 100_000;
  if (only && !only.test(name)) {
    return;
  }
  const trace = bigTrace(size, END_MS - 12 * 3_600_000 + BIG_SIZES.indexOf(size) * 60_000, 7 + BIG_SIZES.indexOf(size));
  const traceId = trace[0].traceId;
  await ensureLoaded(client, index, { description: `a trace of ${size} spans on 3 shards` }, async () => {
    const report = await ingest(client, { schema: otelSchema, index, spans: trace, logs: [], shards: 3 });
    if (report.failed > 0) {
      throw new Error(`loading ${index} failed for ${report.failed} documents: ${report.errors[0]}`);
    }
    return report.spans;
  });
  const resolution = await resolvePattern(client, `${index},${index}-logs`, otelSchema.name);
  const core = await measure(runs, () => viewTrace(client, traceId, resolution, size, index));
  const raw = await measure(runs, () => rawTraceFetch(client, otelSchema, index, traceId));
  results.push({ name, ...core, rawMs: raw.medianMs, ratio: ratioOf(core.medianMs / raw.medianMs) });
  log(`  ${name}: ${core.medianMs} ms (sequential raw ${raw.medianMs} ms)`);
}

const SEARCHES: Array<[string, SearchInput]> = [
  ['search recent 20', {}],
  ['search slowest 20', { sort: 'slowest' }],
  ['search recent 100', { limit: 100 }],
  ['search slowest 100', { sort: 'slowest', limit: 100 }],
  ['search service', { service: 'checkout' }],
  ['search service+operation', { service: 'checkout', operation: operationNames('checkout', 10)[0] }],
  ['search attribute', { tags: 'app.tenant=tenant-07' }],
  ['search min duration 1s', { minDuration: '1s' }],
  ['search status error', { status: 'error' }],
  ['search status error slowest', { status: 'error', sort: 'slowest' }],
];

async function benchSearch(client: EngineClient, schema: SpanSchema, spans: number, runs: number, results: Result[], disableCache: () => Promise<unknown>): Promise<void> {
  const index = `estraces-bench-${schema.name}-${spans}`;
  await ensureLoaded(client, index, { description: `${spans} spans over 24 h` }, () => loadSpans(client, schema, index, benchBatches(spec(spans))));
  await disableCache();
  const resolution = await resolvePattern(client, `${index},${index}-logs`, schema.name);
  const label = (name: string) => `${schema.name} ${name} @${spans >= 1_000_000 ? `${spans / 1_000_000}M` : `${spans / 1000}k`}`;
  const cases: Array<[string, () => Promise<unknown>]> = SEARCHES.map(([name, input]) => {
    const request = parseSearchInput(input);
    return [name, () => searchTraces(client, { resolution, window: WINDOW, request })];
  });
  const scatter = parseSearchInput({ limit: 500 });
  const histogram = parseSearchInput({ service: 'checkout' });
  cases.push(
    ['services', () => findServices(client, { resolution, window: WINDOW })],
    ['operations', () => findOperations(client, { resolution, window: WINDOW, service: serviceNames(20)[1] })],
    ['scatter 500', () => searchTraces(client, { resolution, window: WINDOW, request: scatter })],
    ['histogram service', () => matchingTraceTimings(client, { resolution, window: WINDOW, request: histogram })]
  );
  for (const [name, work] of cases) {
    if (!only || only.test(label(name))) {
      const slowest = SEARCHES.find(([search, input]) => search === name && input.sort === 'slowest');
      results.push(slowest ? await slowestBesideRaw(client, resolution, label(name), slowest[1], runs) : { name: label(name), ...(await measure(runs, work)) });
    }
  }
  const beside = async (name: string, core: () => Promise<unknown>, raw: () => Promise<unknown>) => {
    if (!only || only.test(label(name))) {
      const measured = await measure(runs, core);
      const engine = await measure(runs, raw);
      results.push({ name: label(name), ...measured, rawMs: engine.medianMs, ratio: ratioOf(measured.medianMs / engine.medianMs) });
    }
  };
  // RED: one aggregation per panel; the engine's time is the same request sent as is.
  const metricsOptions = { window: WINDOW, stepMs: 24 * 60_000, filters: { tags: [] }, groupBy: 'service' as const };
  await beside('metrics RED by service, 60 steps', () => spanMetrics(client, { resolution, ...metricsOptions }), () => rawRequests(client, resolution, (group) => buildMetricsRequest(group, metricsOptions)));
  await beside('metrics operations table', () => operationTable(client, { resolution, window: WINDOW, filters: { tags: [] } }), () => rawRequests(client, resolution, (group) => buildOperationTableRequest(group, { window: WINDOW, filters: { tags: [] } })));
  // The service map: its aggregation and the join's pages, beside the same requests without reading or joining.
  for (const maxSpans of [DEFAULT_SERVICE_MAP_SPANS, ...(spans <= 100_000 ? [spans] : [])]) {
    await beside(`service map, ${maxSpans / 1000}k spans joined`, () => serviceMap(client, { resolution, window: WINDOW, maxSpans }), () => rawServiceMap(client, resolution, maxSpans));
  }
  log(`  ${schema.name} search at ${spans} spans measured`);
}

/** Traces the engine's own ranking takes in one terms aggregation (under the default 65,535 buckets). */
const RAW_SLOWEST_TRACES = 65_000;

/**
 * The engine's own cheapest exact ranking of a `slowest` search, in one request per group: a terms
 * bucket for every trace with a span in the window, its first start and last end (start +
 * duration by script where the layout stores no end, as the core reads it), its spans matching
 * the filters counted and traces without one dropped (bucket_selector), and the top N by end -
 * start picked by the engine (bucket_script, bucket_sort). It measures each trace by its spans in
 * the window, where the core measures traces crossing the window's edges whole; the bench data
 * has no span outside the window, so the two rank the same traces (slowestBesideRaw checks).
 */
async function rawSlowest(client: EngineClient, resolution: Resolution, input: SearchInput): Promise<string[]> {
  const request = parseSearchInput(input);
  const ranked: string[] = [];
  for (const group of resolution.groups) {
    const traceField = exactFields(group, 'traceId')[0];
    const start = startSource(group);
    const end = endSource(group);
    const clauses = rangedSpanClauses(group, request.filters, WINDOW);
    if (!traceField || !start || !end || 'skipped' in clauses) {
      continue;
    }
    const [range, ...filters] = clauses.filter;
    const matched = filters.length > 0 ? { matched: { filter: { bool: { filter: filters } } }, keep: { bucket_selector: { buckets_path: { n: 'matched._count' }, script: 'params.n > 0' } } } : {};
    const duration = { bucket_script: { buckets_path: { s: 'start', e: 'end' }, script: { source: 'params.e * params.endScale - params.s * params.startScale', params: { startScale: start.msPerUnit, endScale: end.msPerUnit } } } };
    const response = await client.search(group.indices.join(','), {
      size: 0,
      track_total_hits: false,
      query: { bool: { filter: [range], must_not: clauses.mustNot } },
      aggs: { traces: { terms: { field: traceField, size: RAW_SLOWEST_TRACES, shard_size: RAW_SLOWEST_TRACES }, aggs: { start: { min: start.agg }, end: { max: end.agg }, ...matched, duration, top: { bucket_sort: { sort: [{ duration: { order: 'desc' } }], size: request.limit } } } } },
    });
    const traces = response.aggregations?.traces as { buckets: Array<{ key: string }>; sum_other_doc_count: number };
    if (traces.sum_other_doc_count > 0) {
      throw new Error(`${group.indices.join(', ')} has more than ${RAW_SLOWEST_TRACES} traces in the window: one terms aggregation cannot rank them all`);
    }
    ranked.push(...traces.buckets.map((bucket) => bucket.key));
  }
  return ranked;
}

/**
 * A `slowest` search beside the engine's own ranking of the same traces (rawSlowest), runs
 * interleaved so both see the same load; says so when the two rankings differ.
 */
async function slowestBesideRaw(client: EngineClient, resolution: Resolution, name: string, input: SearchInput, runs: number): Promise<Result> {
  const request = parseSearchInput(input);
  const core = async () => (await searchTraces(client, { resolution, window: WINDOW, request })).traces.map((trace) => trace.traceId);
  const raw = () => rawSlowest(client, resolution, input);
  const [ours, engine] = [await core(), await raw()];
  if (ours.join() !== engine.join()) {
    log(`  ${name}: the engine's own ranking differs from ours (first difference at ${ours.findIndex((id, i) => id !== engine[i]) + 1})`);
  }
  const times: { core: number[]; raw: number[] } = { core: [], raw: [] };
  for (let i = 0; i < runs + 2; i++) {
    for (const [kind, work] of [['core', core], ['raw', raw]] as const) {
      const started = process.hrtime.bigint();
      await work();
      if (i >= 2) {
        times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  }
  const [coreMs, rawMs] = [times.core.sort((a, b) => a - b), times.raw.sort((a, b) => a - b)];
  const medianMs = round(percentile(coreMs, 0.5));
  const rawMedianMs = round(percentile(rawMs, 0.5));
  log(`  ${name}: ${medianMs} ms (raw ${rawMedianMs} ms)`);
  return { name, medianMs, p95Ms: round(percentile(coreMs, 0.95)), rawMs: rawMedianMs, ratio: ratioOf(medianMs / rawMedianMs) };
}

/** Each group's request built by the core, sent as is: the engine's own time for the work. */
async function rawRequests(client: EngineClient, resolution: Resolution, build: (group: IndexGroup) => { body: Record<string, unknown> } | { skipped: string }): Promise<void> {
  for (const group of resolution.groups) {
    const built = build(group);
    if ('body' in built) {
      await client.search(group.indices.join(','), built.body);
    }
  }
}

/** The service map's requests with no reading and no join: its aggregation, then every page of the spans it pairs. */
async function rawServiceMap(client: EngineClient, resolution: Resolution, maxSpans: number): Promise<number> {
  let total = 0;
  for (const group of resolution.groups) {
    const built = buildNodeStatsRequest(group, WINDOW, { tags: [] });
    if ('body' in built) {
      total += totalHits(await client.search(group.indices.join(','), built.body));
    }
  }
  const sample = total > maxSpans ? sampleShare(maxSpans / total) : undefined;
  const hits: SearchHit[] = [];
  for (const group of resolution.groups) {
    await fetchAll(client, group.indices.join(','), (after) => buildEdgeSpansRequest(group, WINDOW, { tags: [] }, sample, after, 10_000) as Record<string, unknown>, hits);
  }
  return hits.length;
}

function bundleBytes(): number | undefined {
  const file = resolve(__dirname, '../../dist/module.js');
  return existsSync(file) ? statSync(file).size : undefined;
}

function machine(engine: string): Record<string, unknown> {
  const cpu = cpus();
  // `java -version` prints to stderr.
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr?.split('\n')[0]?.trim() ?? '';
  return { cpus: cpu.length, cpuModel: cpu[0]?.model, memoryGb: Math.round(totalmem() / 1e9), node: process.version, engine, java };
}

// ---- command line start-up -------------------------------------------------------------------

const ROOT = resolve(__dirname, '../..');

interface CliStartup {
  /** `node -e 0`: the least any command line on this Node costs. */
  nodeMs: number;
  helpMs: number;
  /** helpMs over nodeMs (target: 2 at most). */
  helpRatio: number;
  /** `estraces trace` of a small trace, spans in it. */
  traceSpans: number;
  traceMs: number;
  /** The engine's own time for the requests that command sends (detection and the trace), summed. */
  engineMs: number;
  /** traceMs less nodeMs and engineMs: what our start and work add (target: 100 at most). */
  traceOverMs: number;
}

/** The median wall time of `node ARGS`, run as a user runs it; fails when the command does. */
function measureSpawn(runs: number, args: string[]): Promise<{ medianMs: number; p95Ms: number }> {
  return measure(runs, async () => {
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${(result.stderr ?? '').slice(-1_000)}`);
    }
  });
}

/** A transport that adds up how long the engine took to answer each request. */
function timedTransport(url: string): { transport: EngineTransport; engineMs: () => number } {
  const inner = createNodeTransport({ url, timeoutMs: 600_000 });
  let total = 0;
  const transport: EngineTransport = {
    description: inner.description,
    async request<T>(request: EngineRequest): Promise<T> {
      const start = process.hrtime.bigint();
      try {
        return await inner.request<T>(request);
      } finally {
        total += Number(process.hrtime.bigint() - start) / 1e6;
      }
    },
  };
  return { transport, engineMs: () => total };
}

/**
 * The command line as a user starts it (bin/estraces.js, running the build of `npm run build`):
 * `--help` beside `node -e 0`, and `trace` of a small trace of the 100,000-span otel data beside
 * `node -e 0` plus the engine's own time for the requests it sends (measured in process, with a
 * new client each run, as each command starts with one).
 */
async function benchCli(client: EngineClient, url: string, runs: number, results: Result[]): Promise<CliStartup> {
  if (!builtCliIsCurrent(ROOT)) {
    throw new Error('the command line is not built, or its sources changed since: run `npm run build:cli` first, so the bench measures what users start');
  }
  const index = 'estraces-bench-otel-100000';
  const found = await client.search(index, { size: 1, query: { match_all: {} } });
  const traceId = otelSchema.readHits(found.hits?.hits ?? []).spans[0]?.traceId;
  if (!traceId) {
    throw new Error(`${index} holds no span to start from`);
  }
  const node = await measureSpawn(runs, ['-e', '0']);
  const help = await measureSpawn(runs, ['bin/estraces.js', '--help']);
  const trace = await measureSpawn(runs, ['bin/estraces.js', 'trace', traceId, '--url', url, '--index', index]);
  let traceSpans = 0;
  const engine: number[] = [];
  await measure(runs, async () => {
    const timed = timedTransport(url);
    const fresh = new EngineClient(timed.transport);
    const resolution = await resolvePattern(fresh, index, 'auto');
    traceSpans = (await runTraceQuery(fresh, { traceId, resolution, maxSpans: 200_000 })).spans.length;
    engine.push(timed.engineMs());
  });
  engine.sort((a, b) => a - b);
  const engineMs = round(percentile(engine, 0.5));
  results.push({ name: 'cli --help (raw: node -e 0)', ...help, rawMs: node.medianMs, ratio: ratioOf(help.medianMs / node.medianMs) });
  results.push({ name: `cli trace, ${traceSpans} spans (raw: node -e 0 + engine)`, ...trace, rawMs: round(node.medianMs + engineMs), ratio: ratioOf(trace.medianMs / (node.medianMs + engineMs)) });
  const startup = { nodeMs: node.medianMs, helpMs: help.medianMs, helpRatio: ratioOf(help.medianMs / node.medianMs), traceSpans, traceMs: trace.medianMs, engineMs, traceOverMs: round(trace.medianMs - node.medianMs - engineMs) };
  log(`  cli: --help ${startup.helpMs} ms, node -e 0 ${startup.nodeMs} ms; trace ${startup.traceMs} ms, engine ${startup.engineMs} ms`);
  return startup;
}

// ---- ingest memory ---------------------------------------------------------------------------

const INGEST_MEMORY_TARGET_MB = 300;

/**
 * A ~200 MB OTLP/JSON export request (one JSON object, 10-span traces, 500 spans per resource),
 * written piece by piece so the bench itself never holds it.
 */
async function writeLargeOtlpFile(file: string, targetBytes: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((done) => out.once('drain', () => done())));
  const startNs = BigInt(END_MS - 3_600_000) * BigInt(1_000_000);
  let bytes = 0;
  let spans = 0;
  await write('{"resourceSpans":[');
  for (let group = 0; bytes < targetBytes; group++) {
    const items: string[] = [];
    for (let i = 0; i < 500; i++, spans++) {
      const trace = Math.floor(spans / 10);
      const start = startNs + BigInt(spans) * BigInt(1_000_123);
      items.push(JSON.stringify({
        traceId: trace.toString(16).padStart(32, '0').replace(/^0/, 'a'),
        spanId: (spans + 1).toString(16).padStart(16, '0'),
        parentSpanId: spans % 10 === 0 ? '' : (trace * 10 + 1).toString(16).padStart(16, '0'),
        name: `operation ${spans % 37}`,
        kind: 2,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + BigInt(750_000)).toString(),
        attributes: [{ key: 'http.route', value: { stringValue: `/api/items/${spans % 101}` } }, { key: 'http.status_code', value: { intValue: '200' } }, { key: 'note', value: { stringValue: 'x'.repeat(120) } }],
        status: { code: 1 },
      }));
    }
    const chunk = `${group === 0 ? '' : ','}{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"service-${group % 20}"}}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[${items.join(',')}]}]}`;
    bytes += chunk.length;
    await write(chunk);
  }
  await write(']}\n');
  await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
  return spans;
}

/**
 * `bench --ingest-memory`: `estraces ingest` of a ~200 MB file in a child process, whose own
 * peak resident memory (getrusage maxrss) it prints on exit. Not part of the default run: it
 * writes and bulk-loads 200 MB.
 */
async function benchIngestMemory(url: string, index: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'estraces-ingest-memory-'));
  const file = join(dir, 'large.json');
  try {
    const spans = await writeLargeOtlpFile(file, 200 * 1024 * 1024);
    const megabytes = Math.round(statSync(file).size / 1024 / 1024);
    log(`ingesting ${file}: ${megabytes} MB, ${spans} spans`);
    const child = `require('tsx/cjs/api').register();
require(${JSON.stringify(resolve(__dirname, '../../src/cli/main.ts'))}).main(${JSON.stringify(['ingest', '--url', url, '--index', index, '--schema', 'otel', file])}).then((code) => {
  process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n');
  process.exitCode = code;
});`;
    const started = Date.now();
    const result = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, cwd: resolve(__dirname, '../..') });
    const seconds = (Date.now() - started) / 1000;
    const peak = /maxRSS (\d+)/.exec(result.stderr ?? '');
    if (result.status !== 0 || !peak) {
      throw new Error(`the ingest child failed (exit ${result.status}): ${(result.stderr ?? '').slice(-2_000)}`);
    }
    const report = JSON.parse(result.stdout) as { spans: number; written: number; alreadyPresent: number };
    const peakMb = Math.round(Number(peak[1]) / 1024);
    process.stdout.write(`ingest memory: ${megabytes} MB file, ${report.spans} spans (${report.written} written, ${report.alreadyPresent} already present) in ${seconds.toFixed(0)} s; peak RSS ${peakMb} MB (target at most ${INGEST_MEMORY_TARGET_MB} MB)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { quick: { type: 'boolean' }, kind: { type: 'string' }, url: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' }, only: { type: 'string' }, 'ingest-memory': { type: 'boolean' }, index: { type: 'string' } } });
  only = values.only ? new RegExp(values.only) : undefined;
  const kind: EngineKind = values.kind === 'elasticsearch' ? 'elasticsearch' : 'opensearch';
  const runs = Math.max(10, Number(values.runs ?? 10));
  const url = await ensureEngine(kind, values.url, log, 3072);
  const client = new EngineClient(createNodeTransport({ url, timeoutMs: 600_000 }));
  if (values['ingest-memory']) {
    await benchIngestMemory(url, values.index ?? 'estraces-bench-ingest-memory');
    await client.deleteIndex(`${values.index ?? 'estraces-bench-ingest-memory'}*`);
    return;
  }
  const info = await client.info();
  // Repeated identical size-0 searches would be answered by the shard request cache: measure the work, not the cache.
  const disableCache = () => client.transport.request({ method: 'PUT', path: '/estraces-bench-*/_settings?allow_no_indices=true', body: { 'index.requests.cache.enable': false } });
  const sizes = values.quick ? [100_000] : [100_000, 1_000_000];
  const results: Result[] = [];
  const conversion: ConversionFigures = {};
  for (const schema of SCHEMAS) {
    for (const spans of sizes) {
      await benchSearch(client, schema, spans, runs, results, disableCache);
    }
    await benchTraces(client, schema, runs, results, conversion);
  }
  const cliStartup = !only || only.test('cli') ? await benchCli(client, url, runs, results) : undefined;
  const jaeger = await benchJaeger({ client, url, runs, searchSizes: sizes, bigSizes: BIG_SIZES, window: WINDOW, spec, measure, only, results, log });
  const report = {
    machine: machine(info.label),
    command: values.quick ? 'npm run bench -- --quick' : 'npm run bench',
    spansLoaded: sizes.reduce((sum, n) => sum + n, 0) + BIG_SIZES.reduce((sum, n) => sum + n, 0),
    conversionSpansPerSec: conversion.spansPerSec,
    conversionPeakHeapMb: conversion.peakMb,
    conversionOneRunPeakHeapMb: conversion.onePeakMb,
    conversionFrameHeapMb: conversion.frameMb,
    bundleBytes: bundleBytes(),
    cliStartup,
    jaeger,
    targets: targetsOf(results, conversion, cliStartup),
    results,
  };
  // A quick run never overwrites the figures of the last full run.
  const out = values.out ?? resolve(__dirname, `../../benchmarks/${values.quick ? 'results-quick.json' : 'results.json'}`);
  mkdirSync(join(out, '..'), { recursive: true });
  if (only) {
    printTable(report.results);
    return;
  }
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  printTable(report.results);
  process.stdout.write(`\nconversion: ${report.conversionSpansPerSec} spans/s (peak heap +${report.conversionPeakHeapMb} MB); bundle: ${report.bundleBytes ?? 'not built (npm run build)'} bytes; written to ${out}\n`);
}

function printTable(results: Result[]): void {
  const rows = results.map((r) => [r.name, r.medianMs.toFixed(1), r.p95Ms.toFixed(1), r.rawMs === undefined ? '' : r.rawMs.toFixed(1), r.ratio === undefined ? '' : r.ratio.toFixed(2)]);
  const header = ['benchmark', 'median ms', 'p95 ms', 'raw ms', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  process.stdout.write(`${[line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')}\n`);
}

/**
 * The figures the targets are judged by, in one place: conversion, trace by id against the raw
 * sequential fetch and the 3-shard parallel fetch against it, the slowest searches against the
 * engine's own exact ranking, start-up against `node -e 0`, and Jaeger query beside ours.
 */
function targetsOf(results: Result[], conversion: ConversionFigures, cli: { helpRatio: number; traceOverMs: number } | undefined) {
  const ratios = (test: (name: string) => boolean) => Object.fromEntries(results.filter((r) => r.ratio !== undefined && test(r.name)).map((r) => [r.name, r.ratio]));
  return {
    conversion: { spansPerSec: conversion.spansPerSec, target: 1_000_000, peakHeapMb: conversion.peakMb, oneRunPeakHeapMb: conversion.onePeakMb, frameHeapMb: conversion.frameMb, peakTarget: 250 },
    traceByIdVsRawSequential: ratios((name) => /trace \d+k$/.test(name)),
    parallelVsSequential: ratios((name) => name.includes('3 shards')),
    slowestVsEngine: { target: 1.2, ...ratios((name) => name.includes('slowest')) },
    cliStartup: cli && { helpVsNode: cli.helpRatio, helpTarget: 2, traceOverNodeAndEngineMs: cli.traceOverMs, traceTargetMs: 100 },
    jaeger: ratios((name) => name.includes('Jaeger')),
  };
}
