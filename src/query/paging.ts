/**
 * Paging through every document a query matches with search_after, in large pages, so no
 * 10,000-hit window ever cuts an answer short: a trace's spans, or the spans of a time range.
 */
import { incompleteAnswerWarnings, type SearchHit, type SearchResponse, totalHits } from '../engine/client';
import type { JsonObject } from '../proto/schema';
import type { TraceSearcher } from './fetchTrace';

export interface Collected {
  fetched: number;
  total: number;
  warnings: string[];
}

/** Lets a request just started reach the network before synchronous work takes the thread. */
export const yieldToNetwork = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

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

/** The body of the page after `searchAfter` (undefined for the first) with `size` hits. */
export type PageRequest = (searchAfter: unknown[] | undefined, size: number) => JsonObject;

/**
 * One sequence of pages of one request, sorted by keys that put every document in one place,
 * read one page at a time; the caller asks for the next page (`requestNext`) when it wants it, so
 * it can send that request before converting the page it holds.
 *
 * The sort keys (start, span id) need not be unique, and search_after skips every document equal
 * to the values it is given. So a full page is cut before its trailing run of equal keys, and the
 * next page starts after the hit before the run: the run arrives whole on the next page. A page
 * that is one run throughout is asked for again, twice as large, up to the engine's window.
 */
export class PageCursor {
  /** Documents of the pages read so far. */
  fetched = 0;
  /** The total the first answer counted (requests that track no total count none). */
  total = 0;
  /** The first answer, for its `_shards`. */
  firstAnswer: SearchResponse | undefined;
  private readonly pageSize: number;
  private requested: number;
  private pending: Promise<SearchResponse>;

  constructor(
    private readonly send: (body: JsonObject) => Promise<SearchResponse>,
    private readonly build: PageRequest,
    private readonly options: PagingOptions,
    private readonly warnings: Set<string>,
    /** Where the sequence starts: after these sort values, or at the first document. */
    private after?: unknown[]
  ) {
    this.pageSize = Math.min(options.pageSize, options.limit);
    this.requested = this.pageSize;
    this.pending = this.request();
  }

  /** Where the next page starts: after these sort values. */
  get position(): unknown[] | undefined {
    return this.after;
  }

  /** The next page, cut to whole runs of equal keys; `more` when another page follows (not yet requested). */
  async read(): Promise<{ page: SearchHit[]; more: boolean }> {
    const { limit } = this.options;
    for (;;) {
      const response = await this.pending;
      incompleteAnswerWarnings(response).forEach((w) => this.warnings.add(w));
      if (!this.firstAnswer) {
        this.firstAnswer = response;
        this.total = totalHits(response);
      }
      let page = response.hits?.hits ?? [];
      const more = page.length === this.requested && page[page.length - 1]?.sort !== undefined && this.fetched + page.length < limit;
      if (more) {
        const run = trailingRun(page);
        const larger = Math.min(this.requested * 2, MAX_PAGE_SIZE, limit - this.fetched);
        if (run === page.length && larger > this.requested) {
          this.requested = larger;
          this.pending = this.request();
          continue;
        }
        if (run < page.length) {
          page = page.slice(0, page.length - run);
        } else {
          const keys = JSON.stringify(page[0].sort);
          this.warnings.add(`more than ${page.length} ${this.options.what} share the sort keys ${keys} (${this.options.sortKeys}); those beyond the first ${page.length} were skipped`);
        }
        this.after = page[page.length - 1].sort;
        this.requested = Math.min(this.pageSize, limit - this.fetched - page.length);
      }
      this.fetched += page.length;
      return { page, more };
    }
  }

  /** Sends the request for the page after the last one read. */
  requestNext(): void {
    this.pending = this.request();
  }

  private request(): Promise<SearchResponse> {
    const answer = this.send(this.build(this.after, this.requested));
    // A page asked for ahead may fail while the one before is read, or be left unread when the
    // read stops: its rejection reaches whoever awaits it, and is never unhandled.
    answer.catch(() => undefined);
    return answer;
  }
}

/** Is handed each page, with the total the first answer counted (how many documents there are to read, where it counts them). */
export type PageHandler = (hits: SearchHit[], total: number) => void;

/** Reads a cursor to its end, handing each page over; the next page is requested before the current one is handed over. */
export async function readToEnd(cursor: PageCursor, onPage: PageHandler): Promise<void> {
  for (;;) {
    const { page, more } = await cursor.read();
    if (more) {
      cursor.requestNext();
      await yieldToNetwork();
    }
    onPage(page, cursor.total);
    if (!more) {
      return;
    }
  }
}

/**
 * Pages of one kind of document, handed to `onPage` as they arrive; `build` makes the body of
 * each page (see PageCursor). The next page is requested before the current one is handed over,
 * so converting a page overlaps fetching the next.
 */
export async function collectPages(searcher: TraceSearcher, indices: string, build: PageRequest, options: PagingOptions, onPage: PageHandler): Promise<Collected> {
  const warnings = new Set<string>();
  const cursor = new PageCursor((body) => searcher.search(indices, body), build, options, warnings);
  await readToEnd(cursor, onPage);
  return { fetched: cursor.fetched, total: cursor.total, warnings: [...warnings] };
}
