/**
 * The time window of a span's (or a trace's) logs: its own time in the span indices, widened by
 * the trace-to-logs shifts, as Grafana's trace view does for its logs links.
 */
import type { Resolution } from '../proto/detect';
import { traceIdSearchForms } from '../proto/ids';
import { millisToNanosFloat } from '../proto/time';
import type { TraceSearcher } from './fetchTrace';
import { parseTimeShift } from './filters';
import { QueryError } from './resolve';
import { traceTimes } from './search';
import { eventExclusion, exactFields } from './searchClauses';
import type { TimeWindow } from './traceById';

export interface Shifts {
  spanStartTimeShift?: string;
  spanEndTimeShift?: string;
}

/** The span's own start and end in ns, from the first group holding it. */
async function spanTimes(searcher: TraceSearcher, resolution: Resolution, traceId: string, spanId: string): Promise<{ fromNs: bigint; toNs: bigint } | undefined> {
  for (const group of resolution.groups) {
    const traceField = exactFields(group, 'traceId')[0];
    const spanField = exactFields(group, 'spanId')[0];
    if (!traceField || !spanField) {
      continue;
    }
    const body = { size: 1, query: { bool: { filter: [{ terms: { [traceField]: traceIdSearchForms(traceId) } }, { term: { [spanField]: spanId } }], must_not: eventExclusion(group) } } };
    const response = await searcher.search(group.indices.join(','), body);
    const span = group.schema.readHits(response.hits?.hits ?? []).spans[0];
    if (span) {
      return { fromNs: span.startTimeUnixNano, toNs: span.startTimeUnixNano + (span.durationNano ?? BigInt(0)) };
    }
  }
  return undefined;
}

/**
 * [start + start shift, end + end shift] of the span, or of the whole trace when no span id is
 * given. Trace times come from aggregations (millisecond resolution on date fields), so the
 * window is widened to whole milliseconds.
 */
export async function logsWindowOf(searcher: TraceSearcher, resolution: Resolution, traceId: string, spanId: string | undefined, shifts: Shifts): Promise<TimeWindow> {
  const startShift = parseTimeShift(shifts.spanStartTimeShift, 'span start time shift');
  const endShift = parseTimeShift(shifts.spanEndTimeShift, 'span end time shift');
  let own: { fromNs: bigint; toNs: bigint } | undefined;
  if (spanId) {
    own = await spanTimes(searcher, resolution, traceId, spanId);
    if (!own) {
      throw new QueryError(`span ${spanId} of trace ${traceId} was not found in ${resolution.pattern}, so the time of its logs is unknown`);
    }
  } else {
    const times = (await traceTimes(searcher, resolution, traceIdSearchForms(traceId))).values().next().value;
    if (!times) {
      throw new QueryError(`trace ${traceId} was not found in ${resolution.pattern}, so the time of its logs is unknown`);
    }
    own = { fromNs: millisToNanosFloat(Math.floor(times.startMs)), toNs: millisToNanosFloat(Math.ceil(times.endMs)) };
  }
  const window = { fromNs: own.fromNs + startShift, toNs: own.toNs + endShift };
  if (window.toNs < window.fromNs) {
    throw new QueryError(`the trace-to-logs time shifts (${shifts.spanStartTimeShift ?? '0'}, ${shifts.spanEndTimeShift ?? '0'}) leave no time between the span's start and end`);
  }
  return window;
}
