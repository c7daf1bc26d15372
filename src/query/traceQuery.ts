/**
 * The whole trace-by-id pipeline shared by the data source and the CLI: validate the id, resolve
 * the schemas of the span indices, fetch every document, assemble the trace and turn it into rows.
 */
import type { TraceSpanRow } from '@grafana/data';

import { validateTraceId } from '../proto/ids';
import type { Resolution } from '../proto/detect';
import type { TraceFacts } from '../proto/trace';
import { spanToFrameRow } from '../frames/traceRows';
import { fetchTrace, type TraceSearcher } from './fetchTrace';
import { QueryError } from './resolve';
import type { TimeWindow } from './traceById';

export interface TraceQueryOptions {
  traceId: string;
  resolution: Resolution;
  window?: TimeWindow;
  maxSpans: number;
  pageSize?: number;
}

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

export interface TraceQueryResult {
  traceId: string;
  found: boolean;
  rows: TraceSpanRow[];
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
  return {
    traceId: check.id,
    found,
    rows: fetched.trace.spans.map(spanToFrameRow),
    facts: fetched.trace.facts,
    notices,
    truncated: fetched.truncated,
  };
}
