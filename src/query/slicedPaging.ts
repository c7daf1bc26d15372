/**
 * One trace's documents read in parallel slices of the shards that hold them. A sequence of
 * search_after pages (paging.ts) waits for each page before it asks for the next; on indices of
 * several shards, each slice pages through its own shards at the same time, so the engine fetches
 * from all of them at once.
 *
 * A slice is a set of shard numbers, asked for with `preference=_shards:…` on every index of the
 * group: slice j holds the shards numbered k with k mod n = j (n slices, at most MAX_SLICES), so
 * every shard of every index is in exactly one slice, and an index with fewer shards takes part in
 * the slices of the numbers it has. Indices of one shard each are read in one sequence, as
 * before: a trace rarely spans more than one or two time-based indices.
 */
import type { SearchHit, SearchResponse } from '../engine/client';
import { isCancelled } from '../engine/errors';
import type { JsonObject } from '../proto/schema';
import type { TraceSearcher } from './fetchTrace';
import { type Collected, PageCursor, type PageHandler, type PageRequest, type PagingOptions, readToEnd, yieldToNetwork } from './paging';

/** A searcher that can also search some shards only and tell how many shards indices have (EngineClient). */
export interface ShardSearcher extends TraceSearcher {
  searchShards(indices: string, body: JsonObject, shards: number[]): Promise<SearchResponse>;
  shardCounts(indices: string): Promise<Map<string, number>>;
}

/** Requests at once for one trace: enough to keep every shard of a typical index busy, few enough for a browser's connections. */
export const MAX_SLICES = 6;

function searchesShards(searcher: TraceSearcher): searcher is ShardSearcher {
  const candidate = searcher as Partial<ShardSearcher>;
  return typeof candidate.searchShards === 'function' && typeof candidate.shardCounts === 'function';
}

/**
 * The shard numbers of each slice, or undefined when the indices are not worth slicing (no index
 * has more than one shard) or their shards cannot be told (the shard counts cannot be read, say
 * for a user allowed to search only, or do not add up to the shards the first answer searched).
 */
export async function planSlices(searcher: ShardSearcher, indices: string, shardsSearched: number): Promise<number[][] | undefined> {
  let counts: Map<string, number>;
  try {
    counts = await searcher.shardCounts(indices);
  } catch (error) {
    if (isCancelled(error)) {
      throw error;
    }
    return undefined;
  }
  const shards = [...counts.values()];
  const most = Math.max(0, ...shards);
  if (most < 2 || shards.reduce((sum, count) => sum + count, 0) !== shardsSearched) {
    return undefined;
  }
  const slices = Math.min(most, MAX_SLICES);
  return Array.from({ length: slices }, (_, slice) => Array.from({ length: most }, (_, shard) => shard).filter((shard) => shard % slices === slice));
}

/**
 * Pages of one kind of document, handed to `onPage` as they arrive, in no particular order: the
 * first page as collectPages reads it; then, when the first answer counts no more documents than
 * `limit` and the indices have several shards, the rest in parallel slices, each starting after
 * the first page; otherwise the rest in sequence, exactly as collectPages. A trace over the limit
 * is read in sequence because it shows the documents that start first, which only pages in sort
 * order find without reading more than the limit.
 *
 * Every slice reads to its end; one that fails fails the whole read with its error, after the
 * other slices have stopped (no page is handed over once the promise has settled). Should the
 * documents outgrow `limit` while they are read (the trace is still being written), no more than
 * `limit` are handed over and the total counts at least one more, so the caller reports the trace
 * as truncated.
 */
export async function collectSlicedPages(searcher: TraceSearcher, indices: string, build: PageRequest, options: PagingOptions, onPage: PageHandler): Promise<Collected> {
  const warnings = new Set<string>();
  const head = new PageCursor((body) => searcher.search(indices, body), build, options, warnings);
  const first = await head.read();
  const shardsSearched = head.firstAnswer?._shards?.total ?? 0;
  const sharded = first.more && head.total <= options.limit && shardsSearched > 1 && searchesShards(searcher) ? searcher : undefined;
  const plan = sharded && (await planSlices(sharded, indices, shardsSearched));
  if (!sharded || !plan) {
    if (first.more) {
      head.requestNext();
      await yieldToNetwork();
    }
    onPage(first.page, head.total);
    if (first.more) {
      await readToEnd(head, onPage);
    }
    return { fetched: head.fetched, total: head.total, warnings: [...warnings] };
  }

  let fetched = head.fetched;
  let beyondLimit = 0;
  let failure: { error: unknown } | undefined;
  const stopped = () => failure !== undefined || beyondLimit > 0;
  const hand = (page: SearchHit[]) => {
    const room = options.limit - fetched;
    if (page.length > room) {
      beyondLimit += page.length - room;
      page = page.slice(0, room);
    }
    fetched += page.length;
    if (page.length > 0) {
      onPage(page, head.total);
    }
  };
  const sliceOptions = { ...options, limit: options.limit - head.fetched };
  const cursors = plan.map((shards) => new PageCursor((body) => sharded.searchShards(indices, body, shards), build, sliceOptions, warnings, head.position));
  const slices = cursors.map(async (cursor) => {
    try {
      for (;;) {
        const { page, more } = await cursor.read();
        if (more && !stopped()) {
          cursor.requestNext();
          await yieldToNetwork();
        }
        if (stopped()) {
          return;
        }
        hand(page);
        if (!more) {
          return;
        }
      }
    } catch (error) {
      failure ??= { error };
    }
  });
  await yieldToNetwork();
  try {
    onPage(first.page, head.total);
  } catch (error) {
    failure ??= { error };
  }
  await Promise.all(slices);
  if (failure) {
    throw failure.error;
  }
  const answered = cursors.reduce((sum, cursor) => sum + (cursor.firstAnswer?._shards?.total ?? 0), 0);
  if (!stopped() && answered !== shardsSearched) {
    warnings.add(`the shards of ${indices} changed while the ${options.what} were read (${answered} of ${shardsSearched} answered), so results may be incomplete; load the trace again`);
  }
  return { fetched, total: Math.max(head.total, fetched + beyondLimit), warnings: [...warnings] };
}
