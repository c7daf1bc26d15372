/**
 * The bench's trace by id as the trace view asks for it. Apart from benchData, which the
 * integration tests import, because the trace frame brings Grafana's packages.
 */
import { traceSpansToFrame } from '../frames/traceFrame';
import type { Resolution } from '../proto/detect';
import type { TraceSearcher } from '../query/fetchTrace';
import { runTraceQuery } from '../query/traceQuery';

/**
 * What the trace view asks of the core for one trace: every span fetched, assembled and made into
 * the trace frame. Fails unless the whole trace, `size` spans, came back.
 */
export async function viewTrace(searcher: TraceSearcher, traceId: string, resolution: Resolution, size: number, where: string): Promise<void> {
  const result = await runTraceQuery(searcher, { traceId, resolution, maxSpans: 200_000 });
  if (result.spans.length !== size || result.truncated) {
    throw new Error(`trace ${traceId} came back with ${result.spans.length} spans${result.truncated ? ' (truncated)' : ''} from ${where}, not ${size}`);
  }
  traceSpansToFrame(result.spans);
}
