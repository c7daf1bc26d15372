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

/**
 * Pages of one kind of document, handed to `onPage` as they arrive. The next page is requested
 * before the current one is handed over, so converting a page overlaps fetching the next.
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
  let pending = request(undefined, requested);
  for (let first = true; ; first = false) {
    const response = await pending;
    incompleteAnswerWarnings(response).forEach((w) => warnings.add(w));
    if (first) {
      total = totalHits(response);
    }
    const page = response.hits?.hits ?? [];
    fetched += page.length;
    const last = page[page.length - 1];
    const more = page.length === requested && last?.sort !== undefined && fetched < limit;
    if (more) {
      requested = Math.min(pageSize, limit - fetched);
      pending = request(last.sort, requested);
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
    warnings.unshift(`trace truncated: it has ${spanDocuments} span documents and the limit is ${options.maxSpans}; showing the ${fetched} that start first. Raise "Max spans per trace" in the data source settings to see all of it`);
  }
  const trace = assembleTrace(spans);
  return { traceId: options.traceId, trace, warnings: [...new Set([...warnings, ...trace.warnings])], truncated, spanDocuments };
}
