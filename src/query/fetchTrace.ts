/**
 * Fetch every document of one trace, group by group (each index group read with its own schema),
 * paging with search_after in large pages so no 10,000-hit window ever truncates a trace. The
 * engine is injected, so this module does no I/O of its own and runs the same in Grafana and Node.
 */
import type { SearchHit, SearchResponse } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import type { LogicalSpan } from '../proto/model';
import { assembleTrace, type AssembledTrace } from '../proto/trace';
import type { JsonObject } from '../proto/schema';
import type { Collected, PageHandler } from './paging';
import { collectSlicedPages } from './slicedPaging';
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
  /** Told after each page of spans is read, so a caller can show the trace while the rest loads. */
  onProgress?: (progress: TraceProgress) => void;
}

export interface TraceProgress {
  /** Span documents read so far. */
  loaded: number;
  /** Span documents to load, as the engine counted them for the groups begun so far (a lower bound while groups remain), where known. */
  total?: number;
  /** The spans read so far, unassembled (call only when they are to be shown: it copies). */
  spans: () => LogicalSpan[];
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

/** One kind of document of the trace, paged, in parallel slices of the shards where that pays (see collectSlicedPages). */
function collect(searcher: TraceSearcher, group: IndexGroup, options: FetchTraceOptions, documents: TraceDocumentKind, limit: number, onPage: PageHandler): Promise<Collected> {
  const extra = new Set<string>();
  const request = (searchAfter: unknown[] | undefined, size: number) => {
    const { body, warnings } = buildTraceByIdRequest({ schema: group.schema, catalog: group.catalog, traceId: options.traceId, window: options.window, documents, pageSize: size, searchAfter });
    warnings.forEach((w) => extra.add(w));
    return body;
  };
  const what = `${documents === 'spans' ? 'span' : 'event'} documents of the trace`;
  return collectSlicedPages(searcher, group.indices.join(','), request, { limit, pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE, what, sortKeys: 'start, span id' }, onPage).then((collected) => ({ ...collected, warnings: [...new Set([...extra, ...collected.warnings])] }));
}

export async function fetchTrace(searcher: TraceSearcher, options: FetchTraceOptions): Promise<FetchedTrace> {
  const spans: LogicalSpan[] = [];
  const warnings: string[] = [];
  let spanDocuments = 0;
  let fetched = 0;
  let loaded = 0;
  for (const group of options.resolution.groups) {
    const remaining = Math.max(options.maxSpans - fetched, 0);
    if (remaining === 0) {
      break;
    }
    const groupSpans: LogicalSpan[] = [];
    const spanPages = await collect(searcher, group, options, 'spans', remaining, (page: SearchHit[], total?: number) => {
      const read = group.schema.readHits(page);
      for (const span of read.spans) {
        groupSpans.push(span);
      }
      warnings.push(...read.warnings);
      loaded += page.length;
      const expected = total === undefined ? undefined : spanDocuments + Math.min(total, remaining);
      // The last page is no progress to show: the whole trace follows.
      if (expected === undefined || loaded < expected) {
        options.onProgress?.({ loaded, total: expected, spans: () => spans.concat(groupSpans) });
      }
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
