/**
 * A trace from a file instead of an engine ("Import" in the query editor, `estraces trace --file`):
 * the file's spans are read (proto/traceFile), the trace asked for (else the file's first) is
 * finished and assembled as a fetched one is, and the answer has the shape of runTraceQuery's, so
 * the data source and the command line show it exactly as a trace read from an engine.
 */
import { traceIdSearchForms, validateTraceId } from '../proto/ids';
import type { LogicalSpan } from '../proto/model';
import { assembleTrace } from '../proto/trace';
import { readTraceFile } from '../proto/traceFile';
import { QueryError } from './resolve';
import { type Notice, traceResult, type TraceQueryResult } from './traceQuery';

/** Other traces of the file named in the notice; the rest are counted. */
const OTHERS_NAMED = 5;

/** The spans of each trace, traces in the order the file first names them. */
function byTrace(spans: LogicalSpan[]): Map<string, LogicalSpan[]> {
  const traces = new Map<string, LogicalSpan[]>();
  for (const span of spans) {
    const trace = traces.get(span.traceId);
    if (trace) {
      trace.push(span);
    } else {
      traces.set(span.traceId, [span]);
    }
  }
  return traces;
}

function listed(ids: string[]): string {
  const named = ids.slice(0, OTHERS_NAMED).join(', ');
  return ids.length > OTHERS_NAMED ? `${named} and ${ids.length - OTHERS_NAMED} more` : named;
}

/**
 * The trace `traceId` names (any of its stored forms, as an engine lookup matches them), else the
 * file's first. Files that are no trace, or hold no readable span, are errors that say why.
 */
export function importTrace(text: string, traceId?: string): TraceQueryResult {
  let wanted: string | undefined;
  if (traceId !== undefined && traceId.trim() !== '') {
    const check = validateTraceId(traceId);
    if (!check.ok) {
      throw new QueryError(check.message);
    }
    wanted = check.id;
  }
  const file = readTraceFile(text);
  if ('problem' in file) {
    throw new QueryError(file.problem);
  }
  const traces = byTrace(file.spans);
  if (traces.size === 0) {
    throw new QueryError(`the file holds no span that could be read${file.warnings.length > 0 ? `: ${file.warnings.join('; ')}` : ''}`);
  }
  const ids = [...traces.keys()];
  const forms = wanted === undefined ? undefined : traceIdSearchForms(wanted);
  const chosen = forms === undefined ? ids[0] : ids.find((id) => forms.includes(id));
  if (chosen === undefined) {
    const notices: Notice[] = [
      { severity: 'info', text: `trace ${wanted} is not in the file, which holds ${ids.length === 1 ? `trace ${ids[0]}` : `${ids.length} traces: ${listed(ids)}`}` },
      ...file.warnings.map((text): Notice => ({ severity: 'warning', text })),
    ];
    return traceResult({ traceId: wanted!, found: false, spans: [], facts: assembleTrace([]).facts, notices, truncated: false });
  }
  const spans = traces.get(chosen)!;
  file.finishTrace?.(spans);
  const trace = assembleTrace(spans);
  const notices: Notice[] = [...new Set([...file.warnings, ...trace.warnings])].map((text) => ({ severity: 'warning', text }));
  const others = ids.filter((id) => id !== chosen);
  if (others.length > 0) {
    notices.unshift({
      severity: 'info',
      text: `the file holds ${ids.length} traces; showing ${chosen}${wanted === undefined ? ' (the first)' : ''}. The others: ${listed(others)} (give a trace id to show one of them)`,
    });
  }
  return traceResult({ traceId: chosen, found: true, spans: trace.spans, facts: trace.facts, notices, truncated: false });
}
