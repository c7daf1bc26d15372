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
  hits: SearchHit[];
  total: number;
  warnings: string[];
}

async function collect(searcher: TraceSearcher, group: IndexGroup, options: FetchTraceOptions, documents: TraceDocumentKind, limit: number): Promise<Collected> {
  const pageSize = Math.min(options.pageSize ?? DEFAULT_PAGE_SIZE, limit);
  const hits: SearchHit[] = [];
  const warnings = new Set<string>();
  let total = 0;
  let searchAfter: unknown[] | undefined;
  while (hits.length < limit) {
    const { body, warnings: built } = buildTraceByIdRequest({ schema: group.schema, catalog: group.catalog, traceId: options.traceId, window: options.window, documents, pageSize: Math.min(pageSize, limit - hits.length), searchAfter });
    built.forEach((w) => warnings.add(w));
    const response = await searcher.search(group.indices.join(','), body);
    incompleteAnswerWarnings(response).forEach((w) => warnings.add(w));
    if (searchAfter === undefined) {
      total = totalHits(response);
    }
    const page = response.hits?.hits ?? [];
    hits.push(...page);
    const last = page[page.length - 1];
    if (page.length < pageSize || !last?.sort) {
      break;
    }
    searchAfter = last.sort;
  }
  return { hits, total, warnings: [...warnings] };
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
    const spanHits = await collect(searcher, group, options, 'spans', remaining);
    spanDocuments += spanHits.total;
    fetched += spanHits.hits.length;
    warnings.push(...spanHits.warnings);
    let eventHits: SearchHit[] = [];
    if (group.schema.eventDocumentField && spanHits.hits.length > 0) {
      const events = await collect(searcher, group, options, 'events', spanHits.hits.length * EVENTS_PER_SPAN_CAP);
      eventHits = events.hits;
      warnings.push(...events.warnings);
      if (events.total > events.hits.length) {
        warnings.push(`span events were capped at ${events.hits.length} of ${events.total}`);
      }
    }
    const read = group.schema.readHits([...spanHits.hits, ...eventHits]);
    spans.push(...read.spans);
    warnings.push(...read.warnings);
  }
  const truncated = spanDocuments > fetched;
  if (truncated) {
    warnings.unshift(`trace truncated: it has ${spanDocuments} span documents and the limit is ${options.maxSpans}; showing the ${fetched} that start first. Raise "Max spans per trace" in the data source settings to see all of it`);
  }
  const trace = assembleTrace(spans);
  return { traceId: options.traceId, trace, warnings: [...new Set([...warnings, ...trace.warnings])], truncated, spanDocuments };
}
