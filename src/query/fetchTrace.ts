/**
 * Fetch every document of one trace, group by group (each index group read with its own schema),
 * paging with search_after in large pages so no 10,000-hit window ever truncates a trace. The
 * engine is injected, so this module does no I/O of its own and runs the same in Grafana and Node.
 */
import { incompleteAnswerWarnings, type SearchHit, type SearchResponse, totalHits } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import type { LogicalSpan } from '../proto/model';
import { assembleTrace, type AssembledTrace } from '../proto/trace';
import type { JsonObject } from '../proto/schema';
import { buildTraceByIdRequest, type TimeWindow, type TraceDocumentKind } from './traceById';

export interface TraceSearcher {
  search(indices: string, body: JsonObject): Promise<SearchResponse>;
}

export interface FetchTraceOptions {
  traceId: string;
  resolution: Resolution;
  window?: TimeWindow;
  maxSpans: number;
  /** Documents per request; the engines' default result window allows 10,000. */
  pageSize?: number;
}

export interface FetchedTrace {
  traceId: string;
  trace: AssembledTrace;
  /** Trace-level notices: truncation, partial answers, unfilterable mappings. */
  warnings: string[];
  truncated: boolean;
  spanDocuments: number;
}

const DEFAULT_PAGE_SIZE = 10_000;
/** Span events kept apart are capped too, generously: a span rarely has more than a few. */
const EVENTS_PER_SPAN_CAP = 20;

interface Collected {
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

/**
 * Pages of one kind of document, handed to `onPage` as they arrive. The next page is requested
 * before the current one is handed over, so converting a page overlaps fetching the next.
 *
 * The sort keys (start, span id) need not be unique, and search_after skips every document equal
 * to the values it is given. So a full page is cut before its trailing run of equal keys, and the
 * next page starts after the hit before the run: the run arrives whole on the next page. A page
 * that is one run throughout is asked for again, twice as large, up to the engine's window.
 */
async function collect(searcher: TraceSearcher, group: IndexGroup, options: FetchTraceOptions, documents: TraceDocumentKind, limit: number, onPage: (hits: SearchHit[]) => void): Promise<Collected> {
  const pageSize = Math.min(options.pageSize ?? DEFAULT_PAGE_SIZE, limit);
  const warnings = new Set<string>();
  const request = (searchAfter: unknown[] | undefined, size: number) => {
    const { body, warnings: built } = buildTraceByIdRequest({ schema: group.schema, catalog: group.catalog, traceId: options.traceId, window: options.window, documents, pageSize: size, searchAfter });
    built.forEach((w) => warnings.add(w));
    return searcher.search(group.indices.join(','), body);
  };
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
        warnings.add(`more than ${page.length} ${documents === 'spans' ? 'span' : 'event'} documents of the trace share the sort keys ${keys} (start, span id); those beyond the first ${page.length} were skipped`);
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

export async function fetchTrace(searcher: TraceSearcher, options: FetchTraceOptions): Promise<FetchedTrace> {
  const spans: LogicalSpan[] = [];
  const warnings: string[] = [];
  let spanDocuments = 0;
  let fetched = 0;
  for (const group of options.resolution.groups) {
    const remaining = Math.max(options.maxSpans - fetched, 0);
    if (remaining === 0) {
      break;
    }
    const groupSpans: LogicalSpan[] = [];
    const spanPages = await collect(searcher, group, options, 'spans', remaining, (page) => {
      const read = group.schema.readHits(page);
      groupSpans.push(...read.spans);
      warnings.push(...read.warnings);
    });
    spanDocuments += spanPages.total;
    fetched += spanPages.fetched;
    warnings.push(...spanPages.warnings);
    if (group.schema.eventDocumentField && group.schema.attachEvents && spanPages.fetched > 0) {
      const eventHits: SearchHit[] = [];
      const events = await collect(searcher, group, options, 'events', spanPages.fetched * EVENTS_PER_SPAN_CAP, (page) => eventHits.push(...page));
      warnings.push(...events.warnings, ...group.schema.attachEvents(groupSpans, eventHits));
      if (events.total > events.fetched) {
        warnings.push(`span events were capped at ${events.fetched} of ${events.total}`);
      }
    }
    group.schema.finishTrace?.(groupSpans);
    for (const span of groupSpans) {
      spans.push(span);
    }
  }
  const truncated = spanDocuments > fetched;
  if (truncated) {
    warnings.unshift(`trace truncated: it has ${spanDocuments} span documents and the limit is ${options.maxSpans}; showing the ${fetched} that start first. Raise "Max spans per trace" in the data source settings (--max-spans on the command line) to see all of it`);
  }
  const trace = assembleTrace(spans);
  return { traceId: options.traceId, trace, warnings: [...new Set([...warnings, ...trace.warnings])], truncated, spanDocuments };
}
