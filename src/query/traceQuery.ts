/**
 * The whole trace-by-id pipeline shared by the data source and the CLI: validate the id, resolve
 * the schemas of the span indices, fetch every document, assemble the trace and turn it into rows.
 */
import type { TraceSpanRow } from '@grafana/data';

import { validateTraceId } from '../proto/ids';
import type { Resolution } from '../proto/detect';
import type { LogicalSpan } from '../proto/model';
import type { TraceFacts } from '../proto/trace';
import { spanToFrameRow } from '../frames/traceRows';
import { fetchTrace, type TraceProgress, type TraceSearcher } from './fetchTrace';
import { QueryError } from './resolve';
import type { TimeWindow } from './traceById';

export interface TraceQueryOptions {
  traceId: string;
  resolution: Resolution;
  window?: TimeWindow;
  maxSpans: number;
  pageSize?: number;
  onProgress?: (progress: TraceProgress) => void;
}

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

export interface TraceQueryResult {
  traceId: string;
  found: boolean;
  /** The assembled spans, in start order: the trace frame is built from them column by column. */
  spans: LogicalSpan[];
  /** The spans as trace frame rows (for the command line's JSON and the statistics), made on first use. */
  readonly rows: TraceSpanRow[];
  facts: TraceFacts;
  notices: Notice[];
  truncated: boolean;
}

export async function runTraceQuery(searcher: TraceSearcher, options: TraceQueryOptions): Promise<TraceQueryResult> {
  const check = validateTraceId(options.traceId);
  if (!check.ok) {
    throw new QueryError(check.message);
  }
  const fetched = await fetchTrace(searcher, { ...options, traceId: check.id });
  const notices: Notice[] = fetched.warnings.map((text) => ({ severity: 'warning', text }));
  const found = fetched.trace.spans.length > 0;
  if (!found) {
    const where = options.resolution.groups.flatMap((group) => group.indices).join(', ');
    // Short ids are looked up as Jaeger stores them, with and without leading zeros: said, so a typo is not a mystery.
    const padded = check.id.length < 16 ? ` (looked up as ${check.id}, ${check.id.padStart(16, '0')} and ${check.id.padStart(32, '0')}: trace ids are 16 or 32 hex digits, shorter ones only where a producer dropped leading zeros)` : '';
    notices.unshift({ severity: 'info', text: `trace ${check.id} not found in ${where}${options.window ? ' within the time range' : ''}${padded}` });
  }
  return traceResult({ traceId: check.id, found, spans: fetched.trace.spans, facts: fetched.trace.facts, notices, truncated: fetched.truncated });
}

/** A result whose rows are made from its spans only when something asks for them. */
export function traceResult(result: Omit<TraceQueryResult, 'rows'>): TraceQueryResult {
  let rows: TraceSpanRow[] | undefined;
  return {
    ...result,
    get rows() {
      rows ??= result.spans.map(spanToFrameRow);
      return rows;
    },
  };
}
