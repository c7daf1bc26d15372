import type { SearchHit, SearchResponse } from '../../../src/engine/client';
import { cancelledError, EngineError } from '../../../src/engine/errors';
import { resolveSchemas } from '../../../src/proto/detect';
import { spanToOtelDocument } from '../../../src/proto/otel';
import type { JsonObject } from '../../../src/proto/schema';
import { fetchTrace } from '../../../src/query/fetchTrace';
import type { PageRequest, PagingOptions } from '../../../src/query/paging';
import { collectSlicedPages, MAX_SLICES, planSlices, type ShardSearcher } from '../../../src/query/slicedPaging';
import { referenceSpan } from '../referenceSpan';

/**
 * Reading a trace in parallel slices of its shards must hand over exactly the documents one
 * sequence of pages would: each once, none skipped, the limit and its truncation as before. The
 * engine here is a model of shards, `preference=_shards:…` and search_after (documents strictly
 * after the given sort values, in sort order); its answers arrive on a later turn of the event
 * loop, so requests sent together are in flight together.
 */
interface Stored {
  id: string;
  index: string;
  shard: number;
  sort: [number, string];
  source: JsonObject;
}

function compareSort(a: [number, string], b: unknown[]): number {
  if (a[0] !== b[0]) {
    return a[0] < (b[0] as number) ? -1 : 1;
  }
  return a[1] < (b[1] as string) ? -1 : a[1] > (b[1] as string) ? 1 : 0;
}

interface SentRequest {
  body: JsonObject;
  /** The shard numbers of a sliced request; undefined for one to every shard. */
  shards?: number[];
}

interface ModelOptions {
  /** Shard count of each index. */
  counts: Record<string, number>;
  /** What the shard count request does instead of answering. */
  shardCounts?: () => Promise<Map<string, number>>;
  /** Fails (or alters) a request before it is answered: return an answer to send instead. */
  intercept?: (request: SentRequest, sent: number) => SearchResponse | undefined;
  signal?: AbortSignal;
}

/** Documents kept on shards, answered as the engine would; the request counters tell what was asked, and how much at once. */
function shardedEngine(stored: Stored[], options: ModelOptions) {
  const ordered = [...stored].sort((a, b) => compareSort(a.sort, b.sort) || (a.id < b.id ? -1 : 1));
  const sent: SentRequest[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const shardsOf = (shards?: number[]) => Object.entries(options.counts).flatMap(([index, count]) => Array.from({ length: count }, (_, shard) => ({ index, shard })).filter((s) => shards === undefined || shards.includes(s.shard)));
  const answer = (request: SentRequest): Promise<SearchResponse> => {
    // As EngineClient.withSignal: once aborted, a request rejects at once without being sent.
    if (options.signal?.aborted) {
      return Promise.reject(cancelledError('the model engine'));
    }
    sent.push(request);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    return new Promise<SearchResponse>((resolve, reject) => {
      const abort = () => reject(cancelledError('the model engine'));
      options.signal?.addEventListener('abort', abort, { once: true });
      setTimeout(() => {
        inFlight--;
        options.signal?.removeEventListener('abort', abort);
        if (options.signal?.aborted) {
          return;
        }
        try {
          resolve(options.intercept?.(request, sent.length) ?? search(request));
        } catch (error) {
          reject(error);
        }
      }, 0);
    });
  };
  const search = ({ body, shards }: SentRequest): SearchResponse => {
    const searched = shardsOf(shards);
    // fetchTrace asks for the otel layout's event documents with an `exists` filter: there are none.
    const filter = ((body.query as JsonObject | undefined)?.bool as JsonObject | undefined)?.filter as JsonObject[] | undefined;
    const wantsEvents = filter?.some((clause) => 'exists' in clause) ?? false;
    const onShards = wantsEvents ? [] : ordered.filter((doc) => searched.some((s) => s.index === doc.index && s.shard === doc.shard));
    const after = body.search_after as unknown[] | undefined;
    const matching = onShards.filter((doc) => after === undefined || compareSort(doc.sort, after) > 0);
    const hits: SearchHit[] = matching.slice(0, body.size as number).map((doc) => ({ _index: doc.index, _id: doc.id, _source: doc.source, sort: doc.sort }));
    const total = body.track_total_hits ? { hits: { total: { value: matching.length, relation: 'eq' }, hits } } : { hits: { hits } };
    return { took: 1, _shards: { total: searched.length, successful: searched.length, failed: 0 }, ...total } as SearchResponse;
  };
  const searcher: ShardSearcher = {
    search: (_indices, body) => answer({ body }),
    searchShards: (_indices, body, shards) => answer({ body, shards }),
    shardCounts: options.shardCounts ?? (() => Promise.resolve(new Map(Object.entries(options.counts)))),
  };
  return { searcher, sent, mostInFlight: () => mostInFlight };
}

const START_MS = 1715678467123;
/** A span id as producers write it: 16 hex digits, never all zeros. */
const spanId = (n: number) => (n + 1).toString(16).padStart(16, '0');

/**
 * Documents with the given (start offset in ms, span id) keys, spread over the shards of `counts`
 * as routing by id would: document i on shard i mod count of index i mod (number of indices).
 */
function documents(keys: Array<[number, string]>, counts: Record<string, number>): Stored[] {
  const indices = Object.keys(counts);
  return keys.map(([offsetMs, id], i) => {
    const index = indices[i % indices.length];
    return { id: `doc-${i}`, index, shard: Math.floor(i / indices.length) % counts[index], sort: [START_MS + offsetMs, id], source: { n: i } };
  });
}

/** `n` documents, one a millisecond, each with its own span id. */
const distinct = (n: number): Array<[number, string]> => Array.from({ length: n }, (_, i): [number, string] => [i, spanId(i)]);

const build: PageRequest = (searchAfter, size) => ({ size, sort: ['start', 'span id'], track_total_hits: searchAfter === undefined, ...(searchAfter ? { search_after: searchAfter } : {}) });
const paging = (limit: number, pageSize: number): PagingOptions => ({ limit, pageSize, what: 'span documents of the trace', sortKeys: 'start, span id' });

async function collect(engine: ReturnType<typeof shardedEngine>, options: PagingOptions) {
  const pages: string[][] = [];
  const totals = new Set<number>();
  const collected = await collectSlicedPages(engine.searcher, 'spans', build, options, (page, total) => {
    pages.push(page.map((hit) => hit._id));
    totals.add(total);
  });
  return { collected, pages, read: pages.flat(), totals: [...totals] };
}

const ids = (stored: Stored[]) => stored.map((doc) => doc.id).sort();
/** The ids of the first `n` documents in sort order: what a truncated read shows. */
const firstInOrder = (stored: Stored[], n: number) => [...stored].sort((a, b) => compareSort(a.sort, b.sort)).slice(0, n).map((doc) => doc.id).sort();

describe('planSlices', () => {
  const planFor = (counts: Record<string, number>, searched = Object.values(counts).reduce((a, b) => a + b, 0)) => planSlices(shardedEngine([], { counts }).searcher, 'spans', searched);

  it('puts each shard number in a slice of its own, for every index at once', async () => {
    await expect(planFor({ a: 3, b: 3 })).resolves.toEqual([[0], [1], [2]]);
    // b has shard 0 only: it takes part in the first slice.
    await expect(planFor({ a: 3, b: 1 })).resolves.toEqual([[0], [1], [2]]);
  });

  it(`deals shard numbers round the slices when there are more than ${MAX_SLICES}`, async () => {
    const plan = await planFor({ a: MAX_SLICES + 2 });
    expect(plan).toHaveLength(MAX_SLICES);
    expect(plan![0]).toEqual([0, MAX_SLICES]);
    expect(plan![1]).toEqual([1, MAX_SLICES + 1]);
    expect(plan!.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: MAX_SLICES + 2 }, (_, k) => k));
  });

  it('does not slice indices of one shard each, nor shards that do not add up to those the first answer searched', async () => {
    await expect(planFor({ a: 1, b: 1, c: 1 })).resolves.toBeUndefined();
    await expect(planFor({ a: 3 }, 4)).resolves.toBeUndefined();
  });
});

describe('collectSlicedPages', () => {
  const counts = { spans: 3 };

  it('reads every document once, the pages after the first in parallel slices of one shard each', async () => {
    const stored = documents(distinct(50), counts);
    const engine = shardedEngine(stored, { counts });
    const { collected, read, totals } = await collect(engine, paging(100, 4));
    expect([...read].sort()).toEqual(ids(stored));
    expect(collected).toEqual({ fetched: 50, total: 50, warnings: [] });
    // Every page comes with the total the first answer counted, for a caller that shows progress.
    expect(totals).toEqual([50]);
    expect(engine.sent[0].shards).toBeUndefined();
    expect(new Set(engine.sent.slice(1).map((request) => JSON.stringify(request.shards)))).toEqual(new Set(['[0]', '[1]', '[2]']));
    expect(engine.mostInFlight()).toBe(3);
    // Every slice starts after the first page: the three documents that start first (the fourth, a trailing run of one, is cut).
    const firstOfSlices = engine.sent.slice(1, 4);
    expect(firstOfSlices.map((request) => request.body.search_after)).toEqual([stored[2].sort, stored[2].sort, stored[2].sort]);
  });

  it('reads every document once when runs of equal keys straddle page boundaries in every slice', async () => {
    // Runs of 1 to 4 equal (start, span id) keys, spread over the shards: with 4 per page, many boundaries fall inside runs.
    const keys: Array<[number, string]> = [];
    for (let i = 0; i < 30; i++) {
      for (let copy = 0; copy <= i % 4; copy++) {
        keys.push([i, spanId(i)]);
      }
    }
    const stored = documents(keys, counts);
    const { collected, read } = await collect(shardedEngine(stored, { counts }), paging(1_000, 4));
    expect([...read].sort()).toEqual(ids(stored));
    expect(collected).toEqual({ fetched: stored.length, total: stored.length, warnings: [] });
  });

  it('names what it skipped when more documents of one slice share their sort keys than a page can hold', async () => {
    const stored = documents([...distinct(3), ...Array.from({ length: 30_003 }, (): [number, string] => [5, spanId(5)]), [6, spanId(6)]], counts);
    const { collected, read } = await collect(shardedEngine(stored, { counts }), paging(100_000, 10_000));
    // 10,001 of the run on each shard: each slice reads 10,000 and skips the rest, as one sequence of pages does.
    expect(read).toHaveLength(3 + 3 * 10_000 + 1);
    expect(new Set(read).size).toBe(read.length);
    expect(read).toContain(stored[stored.length - 1].id);
    expect(collected.total).toBe(stored.length);
    expect(collected.warnings).toEqual([`more than 10000 span documents of the trace share the sort keys [${START_MS + 5},"${spanId(5)}"] (start, span id); those beyond the first 10000 were skipped`]);
  });

  it('keeps to one sequence of pages when the trace has more documents than the limit, showing those that start first', async () => {
    const stored = documents(distinct(40), counts);
    const engine = shardedEngine(stored, { counts });
    const { collected, read } = await collect(engine, paging(10, 4));
    expect([...read].sort()).toEqual(firstInOrder(stored, 10));
    expect(collected).toEqual({ fetched: 10, total: 40, warnings: [] });
    expect(engine.sent.every((request) => request.shards === undefined)).toBe(true);
  });

  it('reads a trace that fits in one page with one request, and indices of one shard in one sequence', async () => {
    const small = shardedEngine(documents(distinct(3), counts), { counts });
    expect((await collect(small, paging(100, 4))).read).toHaveLength(3);
    expect(small.sent).toHaveLength(1);
    const single = { a: 1, b: 1 };
    const stored = documents(distinct(20), single);
    const unsliced = shardedEngine(stored, { counts: single });
    expect([...(await collect(unsliced, paging(100, 4))).read].sort()).toEqual(ids(stored));
    expect(unsliced.sent.every((request) => request.shards === undefined)).toBe(true);
  });

  it('reads in one sequence, complete, when the shard counts cannot be read (a user allowed to search only)', async () => {
    const stored = documents(distinct(30), counts);
    const refused = () => Promise.reject(new EngineError('auth', 'action [indices:monitor/settings/get] is unauthorized'));
    const engine = shardedEngine(stored, { counts, shardCounts: refused });
    const { collected, read } = await collect(engine, paging(100, 4));
    expect([...read].sort()).toEqual(ids(stored));
    expect(collected).toEqual({ fetched: 30, total: 30, warnings: [] });
    expect(engine.sent.every((request) => request.shards === undefined)).toBe(true);
  });

  it('rejects as cancelled when the query is cancelled while the shard counts are read, rather than reading on in sequence', async () => {
    const stored = documents(distinct(30), counts);
    const engine = shardedEngine(stored, { counts, shardCounts: () => Promise.reject(cancelledError('the model engine')) });
    await expect(collect(engine, paging(100, 4))).rejects.toMatchObject({ kind: 'cancelled' });
    expect(engine.sent).toHaveLength(1);
  });

  it('fails with the reason of a slice that fails, handing over no page once it has failed', async () => {
    const stored = documents(distinct(60), counts);
    const failure = new EngineError('engine', 'shard 1 of spans: circuit_breaking_exception');
    const intercept = (request: SentRequest, sent: number) => {
      if (request.shards?.[0] === 1 && sent > 4) {
        throw failure;
      }
      return undefined;
    };
    const engine = shardedEngine(stored, { counts, intercept });
    const pages: SearchHit[][] = [];
    const read = collectSlicedPages(engine.searcher, 'spans', build, paging(100, 4), (page) => pages.push(page));
    await expect(read).rejects.toBe(failure);
    const handed = pages.length;
    const sent = engine.sent.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pages.length).toBe(handed);
    expect(engine.sent.length).toBe(sent);
  });

  it('stops every slice when the query is cancelled, and rejects as cancelled', async () => {
    const stored = documents(distinct(60), counts);
    const controller = new AbortController();
    const engine = shardedEngine(stored, { counts, signal: controller.signal });
    let pages = 0;
    let sentBeforeAbort = 0;
    const read = collectSlicedPages(engine.searcher, 'spans', build, paging(100, 4), () => {
      pages++;
      if (pages === 3) {
        sentBeforeAbort = engine.sent.length;
        controller.abort();
      }
    });
    await expect(read).rejects.toMatchObject({ kind: 'cancelled' });
    // A slice may still hand over a page it had read before the abort, as one sequence of pages does; none after the rejection.
    const handed = pages;
    expect(handed).toBeLessThanOrEqual(3 + 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pages).toBe(handed);
    expect(engine.sent.length).toBe(sentBeforeAbort);
  });

  it("warns with the engine's reason when a slice's shard fails part of an answer", async () => {
    const stored = documents(distinct(30), counts);
    const intercept = (request: SentRequest): SearchResponse | undefined =>
      request.shards?.[0] === 2 ? { took: 1, _shards: { total: 1, successful: 0, failed: 1, failures: [{ index: 'spans', shard: 2, reason: { type: 'node_disconnected_exception', reason: 'node left' } }] }, hits: { hits: [] } } : undefined;
    const { collected, read } = await collect(shardedEngine(stored, { counts, intercept }), paging(100, 4));
    expect(collected.warnings).toEqual(['1 of 1 shards failed, so results may be incomplete (spans: node left)']);
    expect(read).toHaveLength(30 - stored.slice(4).filter((doc) => doc.shard === 2).length);
  });

  it('warns when the slices searched fewer shards than the first answer did (the indices changed meanwhile)', async () => {
    const stored = documents(distinct(30), counts);
    // Shard 2 is gone by the time its slice asks: the engine searches no shard for it.
    const intercept = (request: SentRequest): SearchResponse | undefined => (request.shards?.[0] === 2 ? { took: 1, _shards: { total: 0, successful: 0, failed: 0 }, hits: { hits: [] } } : undefined);
    const { collected } = await collect(shardedEngine(stored, { counts, intercept }), paging(100, 4));
    expect(collected.warnings).toEqual(['the shards of spans changed while the span documents of the trace were read (2 of 3 answered), so results may be incomplete; load the trace again']);
  });

  it('hands over no more than the limit when the trace outgrows it while read, and counts it as truncated', async () => {
    const stored = documents(distinct(30), counts);
    const written = documents(distinct(60), counts).slice(30).map((doc) => ({ ...doc, id: `late-${doc.id}` }));
    const engine = shardedEngine(stored, { counts });
    const later = shardedEngine([...stored, ...written], { counts });
    // The first answer counts 30 documents; every slice then finds the 30 written since.
    const grown = { ...engine.searcher, searchShards: later.searcher.searchShards };
    const pages: SearchHit[][] = [];
    const collected = await collectSlicedPages(grown, 'spans', build, paging(40, 4), (page) => pages.push(page));
    expect(pages.flat()).toHaveLength(40);
    expect(collected.fetched).toBe(40);
    expect(collected.total).toBeGreaterThan(40);
  });
});

describe('fetchTrace on shards', () => {
  const resolution = resolveSchemas('t*', {
    t: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: { type: 'keyword' }, span_id: { type: 'keyword' }, name: { type: 'keyword' }, kind: { type: 'keyword' }, duration: { type: 'long' } } } },
  });

  function otelDocuments(n: number, counts: Record<string, number>): Stored[] {
    return documents(distinct(n), counts).map((doc, i) => {
      const startTimeUnixNano = BigInt(doc.sort[0]) * BigInt(1_000_000) + BigInt(i % 1000);
      return { ...doc, source: spanToOtelDocument({ ...referenceSpan, spanId: doc.sort[1], parentSpanId: undefined, events: [], startTimeUnixNano }) };
    });
  }

  it('returns the same trace from three shards read in slices as from one shard read in sequence', async () => {
    const three = shardedEngine(otelDocuments(45, { t: 3 }), { counts: { t: 3 } });
    const one = shardedEngine(otelDocuments(45, { t: 1 }), { counts: { t: 1 } });
    const sliced = await fetchTrace(three.searcher, { traceId: referenceSpan.traceId, resolution, maxSpans: 1_000, pageSize: 4 });
    const sequential = await fetchTrace(one.searcher, { traceId: referenceSpan.traceId, resolution, maxSpans: 1_000, pageSize: 4 });
    expect(three.sent.some((request) => request.shards !== undefined)).toBe(true);
    expect(sliced.trace.spans.map((span) => span.spanId)).toEqual(sequential.trace.spans.map((span) => span.spanId));
    expect(sliced.trace.spans).toHaveLength(45);
    expect({ ...sliced, trace: undefined }).toEqual({ ...sequential, trace: undefined });
  });

  it('truncates a trace over the span cap at the documents that start first, with its notice', async () => {
    const engine = shardedEngine(otelDocuments(25, { t: 3 }), { counts: { t: 3 } });
    const fetched = await fetchTrace(engine.searcher, { traceId: referenceSpan.traceId, resolution, maxSpans: 10, pageSize: 4 });
    expect(fetched.truncated).toBe(true);
    expect(fetched.trace.spans.map((span) => span.spanId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => spanId(i)));
    expect(fetched.warnings[0]).toMatch(/^trace truncated: it has 25 span documents and the limit is 10; showing the 10 that start first/);
  });
});
