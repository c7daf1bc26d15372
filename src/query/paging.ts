/**
 * Paging through every document a query matches with search_after, in large pages, so no
 * 10,000-hit window ever cuts an answer short: a trace's spans, or the spans of a time range.
 */
import { incompleteAnswerWarnings, type SearchHit, totalHits } from '../engine/client';
import type { JsonObject } from '../proto/schema';
import type { TraceSearcher } from './fetchTrace';

export interface Collected {
  fetched: number;
  total: number;
  warnings: string[];
}

/** Lets a request just started reach the network before synchronous work takes the thread. */
const yieldToNetwork = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The engines' default `index.max_result_window`: no page may be larger. */
const MAX_PAGE_SIZE = 10_000;

function sameSortValues(a: unknown[] | undefined, b: unknown[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}

/** How many hits at the end of a page share the last hit's sort values. */
function trailingRun(page: SearchHit[]): number {
  const last = page[page.length - 1].sort;
  let run = 1;
  while (run < page.length && sameSortValues(page[page.length - 1 - run].sort, last)) {
    run++;
  }
  return run;
}

export interface PagingOptions {
  /** The most documents to collect. */
  limit: number;
  pageSize: number;
  /** What the documents are, for warnings: `span documents of the trace`. */
  what: string;
  /** The sort keys in words, for warnings: `start, span id`. */
  sortKeys: string;
}

/**
 * Pages of one kind of document, handed to `onPage` as they arrive; `request` builds the body of
 * the page after `searchAfter` (undefined for the first) with `size` hits, sorted by keys that
 * put every document in one place. The next page is requested
 * before the current one is handed over, so converting a page overlaps fetching the next.
 *
 * The sort keys (start, span id) need not be unique, and search_after skips every document equal
 * to the values it is given. So a full page is cut before its trailing run of equal keys, and the
 * next page starts after the hit before the run: the run arrives whole on the next page. A page
 * that is one run throughout is asked for again, twice as large, up to the engine's window.
 */
export async function collectPages(
  searcher: TraceSearcher,
  indices: string,
  build: (searchAfter: unknown[] | undefined, size: number) => JsonObject,
  options: PagingOptions,
  onPage: (hits: SearchHit[]) => void
): Promise<Collected> {
  const { limit } = options;
  const pageSize = Math.min(options.pageSize, limit);
  const warnings = new Set<string>();
  const request = (searchAfter: unknown[] | undefined, size: number) => searcher.search(indices, build(searchAfter, size));
  let total = 0;
  let fetched = 0;
  let requested = pageSize;
  let after: unknown[] | undefined;
  let pending = request(after, requested);
  for (let first = true; ; first = false) {
    const response = await pending;
    incompleteAnswerWarnings(response).forEach((w) => warnings.add(w));
    if (first) {
      total = totalHits(response);
    }
    let page = response.hits?.hits ?? [];
    const more = page.length === requested && page[page.length - 1]?.sort !== undefined && fetched + page.length < limit;
    if (more) {
      const run = trailingRun(page);
      const larger = Math.min(requested * 2, MAX_PAGE_SIZE, limit - fetched);
      if (run === page.length && larger > requested) {
        requested = larger;
        pending = request(after, requested);
        continue;
      }
      if (run < page.length) {
        page = page.slice(0, page.length - run);
      } else {
        const keys = JSON.stringify(page[0].sort);
        warnings.add(`more than ${page.length} ${options.what} share the sort keys ${keys} (${options.sortKeys}); those beyond the first ${page.length} were skipped`);
      }
      after = page[page.length - 1].sort;
      requested = Math.min(pageSize, limit - fetched - page.length);
      pending = request(after, requested);
    }
    fetched += page.length;
    if (more) {
      await yieldToNetwork();
    }
    onPage(page);
    if (!more) {
      return { fetched, total, warnings: [...warnings] };
    }
  }
}

