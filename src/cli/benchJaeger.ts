/**
 * The bench side by side with Jaeger v2: Jaeger's own query service, built from the Go module proxy
 * as the integration suite builds it, reads the bench's `jaeger` documents, and the bench times its
 * trace by id and its search beside ours on the very same documents.
 *
 * Jaeger reads daily indices `<prefix>-jaeger-span-YYYY-MM-DD`, or with `use_aliases` whatever the
 * alias `<prefix>-jaeger-span-read` holds (as `jaeger-es-rollover` leaves it). The bench's indices
 * are named by data set, so Jaeger reads them through that alias, pointed at one of them at a time:
 * no second copy, and neither side searches an index the other does not. Daily indices would need
 * a copy named by date, and each trace by id would then name every day of `max_span_age` back to
 * the data's fixed day.
 *
 * Timed: ours is the core in this process (runTraceQuery and the trace frame, searchTraces)
 * through the Node transport;
 * Jaeger's is its HTTP API as Grafana's Jaeger data source calls it (`/api/traces/ID`,
 * `/api/traces?service=...`) until the whole answer has arrived, not parsed. Jaeger's search
 * answers with whole traces, ours with the summaries the search table shows: each side's work for
 * the same table. Each answer is checked first: a comparison of different answers is worthless.
 */
import { JAEGER_RELEASE, JAEGER_VERSION, buildJaeger, jaegerText, type RunningJaeger, startJaeger } from './jaegerRunner';
import { goAvailable } from './producerProcess';
import { type BenchSpec, benchBatches, operationNames } from './benchData';
import { viewTrace } from './benchTrace';
import type { EngineClient } from '../engine/client';
import type { LogicalSpan } from '../proto/model';
import { resolvePattern } from '../query/resolve';
import { parseSearchInput, type SearchInput, searchTraces } from '../query/search';
import type { TimeWindow } from '../query/traceById';
import { DEFAULT_SEARCH_LIMIT } from '../types';

/** One row of the bench's table: ours as the median, Jaeger's median as the raw time. */
export interface BenchResult {
  name: string;
  medianMs: number;
  p95Ms: number;
  rawMs?: number;
  ratio?: number;
}

export interface JaegerBenchContext {
  client: EngineClient;
  url: string;
  runs: number;
  /** The search data sets loaded (`--quick`: 100,000 spans only), each in `estraces-bench-jaeger-<spans>`. */
  searchSizes: number[];
  /** The span counts of the traces in `estraces-bench-jaeger-big`, in the order of its meta document's trace ids. */
  bigSizes: number[];
  window: TimeWindow;
  /** The generator's settings for a search data set: the expected answers are computed from its spans. */
  spec: (spans: number) => BenchSpec;
  measure: (runs: number, work: () => Promise<unknown>) => Promise<{ medianMs: number; p95Ms: number }>;
  only?: RegExp;
  results: BenchResult[];
  log: (line: string) => void;
}

export interface JaegerComparison {
  name: string;
  oursMs: number;
  jaegerMs: number;
  jaegerP95Ms: number;
  /** Ours over Jaeger's (medians). */
  ratio: number;
  answer: string;
}

export type JaegerReport =
  | { skipped: string }
  | { version: string; module: string; storage: string; timed: string; comparisons: JaegerComparison[]; notes: string[] };

const META_INDEX = 'estraces-bench-meta';
const INDEX_PREFIX = 'estraces-bench-jaegerv2';
const READ_ALIAS = `${INDEX_PREFIX}-jaeger-span-read`;
const SERVICE = 'checkout';
const US = BigInt(1000);

interface SearchCase {
  name: string;
  input: SearchInput;
  /** Jaeger's query parameters for the same filters (its search needs a service). */
  params: Record<string, string>;
  /** The filters on one span, as both apply them. */
  matches: (span: LogicalSpan) => boolean;
}

const OPERATION = operationNames(SERVICE, 10)[0];
const SEARCH_CASES: SearchCase[] = [
  { name: `service ${SERVICE}`, input: { service: SERVICE }, params: { service: SERVICE }, matches: (span) => span.serviceName === SERVICE },
  { name: 'service+operation', input: { service: SERVICE, operation: OPERATION }, params: { service: SERVICE, operation: OPERATION }, matches: (span) => span.serviceName === SERVICE && span.name === OPERATION },
  // Jaeger's filter for an error span is the tag it writes for one (to_dbmodel.go getTagFromStatusCode).
  { name: 'service+error', input: { service: SERVICE, status: 'error' }, params: { service: SERVICE, tags: JSON.stringify({ error: 'true' }) }, matches: (span) => span.serviceName === SERVICE && span.statusCode === 2 },
];

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const sizeLabel = (spans: number) => (spans >= 1_000_000 ? `${spans / 1_000_000}M` : `${spans / 1000}k`);
const traceName = (size: number) => `jaeger-query trace ${sizeLabel(size)} (ours vs Jaeger v2)`;
const searchName = (search: SearchCase, spans: number) => `jaeger-query search ${search.name} @${sizeLabel(spans)} (ours vs Jaeger v2)`;

/**
 * Jaeger's trace by id and search beside ours on the bench's jaeger indices; each pair adds a row
 * to `results` (ours as the median, Jaeger's as the raw time). Undefined when `--only` selects
 * none of them; skipped, with the reason, when Jaeger cannot be built or started here.
 */
export async function benchJaeger(context: JaegerBenchContext): Promise<JaegerReport | undefined> {
  const { log, only } = context;
  const selected = (name: string) => !only || only.test(name);
  const traces = context.bigSizes.filter((size) => selected(traceName(size)));
  const searches = context.searchSizes.map((spans) => ({ spans, cases: SEARCH_CASES.filter((search) => selected(searchName(search, spans))) })).filter((set) => set.cases.length > 0);
  if (traces.length === 0 && searches.length === 0) {
    return undefined;
  }
  const jaeger = await startReader(context);
  if ('skipped' in jaeger) {
    log(`  Jaeger v2 comparison skipped: ${jaeger.skipped}`);
    return jaeger;
  }
  const comparisons: JaegerComparison[] = [];
  const notes: string[] = [];
  try {
    if (traces.length > 0) {
      comparisons.push(...(await compareTraces(context, jaeger, traces, notes)));
    }
    for (const { spans, cases } of searches) {
      comparisons.push(...(await compareSearches(context, jaeger, spans, cases, notes)));
    }
  } finally {
    await jaeger.stop();
    await context.client.transport.request({ method: 'DELETE', path: `/_all/_alias/${READ_ALIAS}` }).catch((error: Error) => log(`  could not remove the alias ${READ_ALIAS}: ${error.message}`));
  }
  return {
    version: JAEGER_RELEASE,
    module: `github.com/jaegertracing/jaeger@${JAEGER_VERSION}`,
    storage: `Jaeger's ${jaeger.engineKind} backend with use_aliases: it reads ${READ_ALIAS}, pointed at the bench index each comparison reads`,
    timed: "ours: the query core in process; Jaeger's: its HTTP API (/api/traces/ID, /api/traces?service=...) until the whole answer has arrived; medians after warm-up",
    comparisons,
    notes,
  };
}

type RunningReader = RunningJaeger & { engineKind: 'opensearch' | 'elasticsearch' };

/** Jaeger built (once, into the producer cache) and started as a reader of the read alias; or why not. */
async function startReader(context: JaegerBenchContext): Promise<RunningReader | { skipped: string }> {
  try {
    await buildJaeger(context.log);
  } catch (error) {
    return { skipped: `Jaeger ${JAEGER_RELEASE} could not be built: ${goAvailable() ?? (error as Error).message.split('\n')[0]}` };
  }
  const engineKind = (await context.client.info()).distribution;
  try {
    const running = await startJaeger({
      engineUrl: context.url,
      engineKind,
      variant: 'read-alias',
      indexPrefix: INDEX_PREFIX,
      maxSpanAge: Date.now() - Number(context.window.fromNs / BigInt(1_000_000)) + 86_400_000,
    });
    context.log(`  Jaeger ${JAEGER_RELEASE} query on ${running.queryUrl}, reading ${READ_ALIAS}`);
    return { ...running, engineKind };
  } catch (error) {
    return { skipped: `Jaeger ${JAEGER_RELEASE} did not start: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Points Jaeger's read alias at `index` alone, in one step. */
async function readThrough(client: EngineClient, index: string): Promise<void> {
  const holders = await client.transport.request<Array<{ index: string }>>({ method: 'GET', path: `/_cat/aliases/${READ_ALIAS}?format=json&h=index` });
  const actions = [...holders.map((holder) => ({ remove: { index: holder.index, alias: READ_ALIAS } })), { add: { index, alias: READ_ALIAS } }];
  await client.transport.request({ method: 'POST', path: '/_aliases', body: { actions } });
}

/** A 100,000-span trace takes Jaeger many seconds on a busy machine. */
const JAEGER_TIMEOUT_MS = 600_000;

interface JaegerTraces {
  data: Array<{ traceID: string; spans: unknown[] }> | null;
  errors: unknown[] | null;
}

async function jaegerTraces(jaeger: RunningJaeger, path: string): Promise<JaegerTraces> {
  const body = JSON.parse(await jaegerText(jaeger, path, JAEGER_TIMEOUT_MS)) as JaegerTraces;
  if (body.errors && body.errors.length > 0) {
    throw new Error(`Jaeger's query API answered ${path} with errors: ${JSON.stringify(body.errors).slice(0, 500)}`);
  }
  return body;
}

/** Ours, then Jaeger's, for the same answer: a row of the bench's table and the comparison for its report. */
async function timePair(context: JaegerBenchContext, name: string, answer: string, ours: () => Promise<unknown>, theirs: () => Promise<unknown>): Promise<JaegerComparison> {
  const mine = await context.measure(context.runs, ours);
  const jaeger = await context.measure(context.runs, theirs);
  const ratio = round(mine.medianMs / jaeger.medianMs, 2);
  context.results.push({ name, ...mine, rawMs: jaeger.medianMs, ratio });
  context.log(`  ${name}: ${mine.medianMs} ms, Jaeger ${jaeger.medianMs} ms`);
  return { name, oursMs: mine.medianMs, jaegerMs: jaeger.medianMs, jaegerP95Ms: jaeger.p95Ms, ratio, answer };
}

/**
 * The big traces by id: ours must return every span, Jaeger every span or exactly those its
 * paging reaches (noted), before either is timed.
 */
async function compareTraces(context: JaegerBenchContext, jaeger: RunningJaeger, sizes: number[], notes: string[]): Promise<JaegerComparison[]> {
  const { client } = context;
  const index = 'estraces-bench-jaeger-big';
  const meta = await client.getDocument(META_INDEX, index);
  const traceIds = meta?.traceIds;
  if (!Array.isArray(traceIds) || traceIds.length !== context.bigSizes.length) {
    throw new Error(`${META_INDEX} names no trace ids for ${index}: load it with the bench first`);
  }
  await readThrough(client, index);
  const resolution = await resolvePattern(client, `${index},${index}-logs`, 'jaeger');
  const timed: JaegerComparison[] = [];
  for (const size of sizes) {
    const traceId = String(traceIds[context.bigSizes.indexOf(size)]);
    const ours = () => viewTrace(client, traceId, resolution, size, index);
    const path = `/api/traces/${traceId}`;
    const found = (await jaegerTraces(jaeger, path)).data ?? [];
    const jaegerSpans = found.length === 1 ? found[0].spans.length : -1;
    let answer = `${size} spans from both`;
    if (jaegerSpans !== size) {
      const paged = jaegerSpans > 0 ? await spansPagedByStartTime(client, index, traceId) : undefined;
      if (jaegerSpans !== paged) {
        throw new Error(`Jaeger answered ${path} with ${found.length} traces of ${found.map((trace) => trace.spans.length).join(', ') || 'no'} spans, not one of ${size}: the comparison would time different answers`);
      }
      answer = `ours ${size} spans, Jaeger ${jaegerSpans}: its reader pages a trace by startTime alone (max_doc_count ${JAEGER_PAGE} a page), so spans sharing the start time of a page's last span are skipped (jaegertracing/jaeger#9048, fixed after ${JAEGER_RELEASE} by #9063)`;
      notes.push(`${traceName(size)}: ${answer}`);
      context.log(`  warning: ${traceName(size)}: ${answer}`);
    }
    timed.push(await timePair(context, traceName(size), answer, ours, () => jaegerText(jaeger, path, JAEGER_TIMEOUT_MS)));
  }
  return timed;
}

/** Jaeger's `max_doc_count` (its default): the spans of one trace it reads per request. */
const JAEGER_PAGE = 10_000;

/**
 * How many spans of a trace Jaeger's reader returns: it sorts by `startTime` alone and asks for
 * the next page `search_after` the last span's start time, so the spans that share that start
 * time but fell beyond the page are never read (spanstore/reader.go multiRead). From the stored
 * start times, read in full with a unique sort.
 */
async function spansPagedByStartTime(client: EngineClient, index: string, traceId: string): Promise<number> {
  const starts: number[] = [];
  let after: unknown[] | undefined;
  for (;;) {
    const page = await client.search(index, { size: 10_000, _source: false, track_total_hits: false, query: { term: { traceID: traceId } }, sort: [{ startTime: 'asc' }, { spanID: 'asc' }], ...(after ? { search_after: after } : {}) });
    const hits = page.hits?.hits ?? [];
    starts.push(...hits.map((hit) => Number(hit.sort?.[0])));
    if (hits.length < 10_000) {
      break;
    }
    after = hits[hits.length - 1].sort;
  }
  let read = 0;
  for (let next = 0; next < starts.length; ) {
    const end = Math.min(next + JAEGER_PAGE, starts.length);
    read += end - next;
    next = end;
    while (next < starts.length && starts[next] === starts[end - 1]) {
      next++;
    }
  }
  return read;
}

/**
 * The searches on one data set. Both must find what the source spans say each finds: ours the
 * traces that start last, Jaeger's the traces whose latest matching span starts last (a terms
 * aggregation ordered by the max of `startTime`, spanstore/reader.go). Where those rankings pick
 * different traces, the row stays, with a note naming how many differ.
 */
async function compareSearches(context: JaegerBenchContext, jaeger: RunningJaeger, spans: number, cases: SearchCase[], notes: string[]): Promise<JaegerComparison[]> {
  const { client, window } = context;
  const index = `estraces-bench-jaeger-${spans}`;
  await readThrough(client, index);
  const resolution = await resolvePattern(client, `${index},${index}-logs`, 'jaeger');
  const limit = DEFAULT_SEARCH_LIMIT;
  const expected = expectedAnswers(context.spec(spans), cases, limit);
  const timed: JaegerComparison[] = [];
  for (const [i, search] of cases.entries()) {
    const name = searchName(search, spans);
    const request = parseSearchInput({ ...search.input, limit });
    const ours = () => searchTraces(client, { resolution, window, request });
    const micros = (ns: bigint) => String(ns / US);
    const path = `/api/traces?${new URLSearchParams({ ...search.params, start: micros(window.fromNs), end: micros(window.toNs), limit: String(limit), lookback: 'custom' })}`;
    const ourIds = (await ours()).traces.map((trace) => trace.traceId).sort();
    const jaegerIds = ((await jaegerTraces(jaeger, path)).data ?? []).map((trace) => trace.traceID).sort();
    const { byTraceStart, byLatestMatch } = expected[i];
    const differs = (found: string[], truth: string[]) => found.length !== truth.length || found.some((id, j) => id !== truth[j]);
    if (differs(ourIds, byTraceStart)) {
      throw new Error(`${name}: ours found ${ourIds.length} traces, not the ${byTraceStart.length} of the source that start last (${ourIds.filter((id) => !byTraceStart.includes(id)).length} others)`);
    }
    if (differs(jaegerIds, byLatestMatch)) {
      throw new Error(`${name}: Jaeger found ${jaegerIds.length} traces, not the ${byLatestMatch.length} of the source whose latest matching span starts last (${jaegerIds.filter((id) => !byLatestMatch.includes(id)).length} others)`);
    }
    const shared = ourIds.filter((id) => jaegerIds.includes(id)).length;
    let answer = `the same ${shared} traces`;
    if (shared !== ourIds.length || shared !== jaegerIds.length) {
      answer = `${shared} of ${limit} traces in common: ours ranks traces by their start, Jaeger by their latest matching span`;
      notes.push(`${name}: ${answer}`);
      context.log(`  warning: ${name}: ${answer}`);
    }
    timed.push(await timePair(context, name, answer, ours, () => jaegerText(jaeger, path, JAEGER_TIMEOUT_MS)));
  }
  return timed;
}

/**
 * From the generated spans: for each search, the `limit` traces with a matching span that start
 * last (ours, `recent`) and those whose latest matching span starts last (Jaeger's). Times in
 * microseconds, as the jaeger documents hold them; ties by trace id.
 */
function expectedAnswers(spec: BenchSpec, cases: SearchCase[], limit: number): Array<{ byTraceStart: string[]; byLatestMatch: string[] }> {
  const starts = new Map<string, bigint>();
  const latest = cases.map(() => new Map<string, bigint>());
  for (const batch of benchBatches(spec)) {
    for (const span of batch) {
      const startUs = span.startTimeUnixNano / US;
      const first = starts.get(span.traceId);
      if (first === undefined || startUs < first) {
        starts.set(span.traceId, startUs);
      }
      cases.forEach((search, i) => {
        const last = latest[i].get(span.traceId);
        if (search.matches(span) && (last === undefined || startUs > last)) {
          latest[i].set(span.traceId, startUs);
        }
      });
    }
  }
  const top = (entries: Array<[string, bigint]>) =>
    entries
      .sort(([idA, a], [idB, b]) => (a > b ? -1 : a < b ? 1 : idA < idB ? -1 : 1))
      .slice(0, limit)
      .map(([id]) => id)
      .sort();
  return latest.map((matching) => ({
    byTraceStart: top([...matching.keys()].map((id): [string, bigint] => [id, starts.get(id)!])),
    byLatestMatch: top([...matching.entries()]),
  }));
}
