/**
 * The log lines around one line, as Grafana's "Show context" asks for them: the lines just before
 * it (older) or just after it (newer), in the same service or in the same trace. Lines of the same
 * instant fall on one side or the other by the order the logs list shows them in (newest first,
 * then by index and id), so no line is on both sides and the line itself is on neither.
 */
import { NS_PER_MS } from '../proto/time';
import type { TraceSearcher } from './fetchTrace';
import { compareNewestFirst, type LogFilters, type LogLine, MAX_LOG_LIMIT, searchLogs } from './logs';
import type { LogResolution } from '../proto/logDetect';
import { QueryError } from './resolve';

/** What the context view is filtered by: the line's service (the default) or its trace. */
export type LogContextScope = 'service' | 'trace';
export const LOG_CONTEXT_SCOPES: LogContextScope[] = ['service', 'trace'];

/** `backward`: older lines; `forward`: newer lines (Grafana's LogRowContextQueryDirection). */
export type LogContextDirection = 'backward' | 'forward';

/** The line the context is around, as its row in the logs frame identifies it. */
export interface LogContextRow {
  timeUnixNano: bigint;
  /** `index/id`, the logs frame's id field. */
  key: string;
  service?: string;
  traceId?: string;
}

/** Lines each side when Grafana names no limit (its context view asks for 50). */
export const DEFAULT_CONTEXT_LINES = 50;
/** How far from the line the context looks when Grafana names no window: two hours each side. */
export const DEFAULT_CONTEXT_WINDOW_MS = 2 * 60 * 60 * 1000;
/**
 * Lines of the line's own millisecond may belong to the other side (the range filter is in whole
 * milliseconds): this many more are asked for, so that those dropped leave the limit filled.
 */
const SAME_INSTANT_MARGIN = 100;

/** The filters of the context: the same service, or the same trace; a line without it cannot have that context. */
export function logContextFilters(row: LogContextRow, scope: LogContextScope): LogFilters {
  if (scope === 'trace') {
    if (!row.traceId) {
      throw new QueryError('this log line carries no trace id, so it has no trace context: show the context of its service instead');
    }
    return { traceId: row.traceId };
  }
  if (!row.service) {
    throw new QueryError('this log line names no service (service.name), so it has no service context: show the context of its trace instead');
  }
  return { service: row.service };
}

export interface LogContextOptions {
  resolution: LogResolution;
  row: LogContextRow;
  scope: LogContextScope;
  direction: LogContextDirection;
  limit?: number;
  windowMs?: number;
}

/** The `limit` lines nearest the row on one side, newest first, with the warnings of the search. */
export async function logContext(searcher: TraceSearcher, options: LogContextOptions): Promise<{ lines: LogLine[]; warnings: string[] }> {
  const limit = options.limit ?? DEFAULT_CONTEXT_LINES;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT - SAME_INSTANT_MARGIN) {
    throw new QueryError(`context limit '${options.limit}' must be a whole number from 1 to ${MAX_LOG_LIMIT - SAME_INSTANT_MARGIN}`);
  }
  const { row, direction } = options;
  const reach = BigInt(Math.max(1, Math.round(options.windowMs ?? DEFAULT_CONTEXT_WINDOW_MS))) * NS_PER_MS;
  // The row's own millisecond is searched on both sides; which of its lines go where is decided below.
  const window = direction === 'backward' ? { fromNs: row.timeUnixNano - reach, toNs: row.timeUnixNano + NS_PER_MS } : { fromNs: row.timeUnixNano - NS_PER_MS, toNs: row.timeUnixNano + reach };
  const result = await searchLogs(searcher, {
    resolution: options.resolution,
    filters: logContextFilters(row, options.scope),
    window,
    limit: limit + SAME_INSTANT_MARGIN,
    order: direction === 'backward' ? 'newest' : 'oldest',
  });
  const [index, ...id] = row.key.split('/');
  const self = { timeUnixNano: row.timeUnixNano, index, id: id.join('/') };
  // In the list (newest first) older lines come after the row, newer ones before it.
  const side = result.lines.filter((line) => (direction === 'backward' ? compareNewestFirst(line, self) > 0 : compareNewestFirst(line, self) < 0));
  const lines = direction === 'backward' ? side.slice(0, limit) : side.slice(Math.max(0, side.length - limit));
  const warnings = [...result.warnings];
  // A full answer whose other-side lines crowd this side below the limit: more lines may exist on this side.
  if (result.lines.length >= limit + SAME_INSTANT_MARGIN && side.length < limit) {
    const crowd = result.lines.length - side.length;
    warnings.push(`only ${side.length} of the ${limit} ${direction === 'backward' ? 'older' : 'newer'} lines asked for are shown: ${crowd} lines of this line's millisecond came first, so more may exist; show the context of the trace, or search the logs around this time`);
  }
  return { lines, warnings };
}
