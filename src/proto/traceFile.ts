/**
 * Trace files: the JSON a producer's own API or exporter writes for a trace, read with no engine
 * behind it. Three formats, told apart by their shape:
 * - OTLP/JSON, `{"resourceSpans": [...]}` (SDK exporters; the Collector's file exporter writes one
 *   such request per line), also inside Jaeger's api/v3 answer `{"result": {"resourceSpans": [...]}}`;
 * - Jaeger query's JSON (`/api/traces/ID`, the UI's "Download JSON"): `{"data": [trace]}`, each
 *   trace's spans naming their process by `processID` in the trace's `processes`. With the process
 *   put back into each span this is Jaeger's storage document, so the jaeger schema reads it;
 * - Zipkin v2 JSON: a list of spans (`/api/v2/trace/ID`) or a list of such lists (`/api/v2/traces`),
 *   which is what Zipkin stores, so the zipkin schema reads it (shared spans included).
 * Spans that cannot be read are left out and said, naming their place in the file.
 */
import { jaegerSchema } from './jaeger';
import type { LogicalSpan } from './model';
import { checkedOtlpSpan, isTraceRequest, otlpRecordContext } from './otlp';
import type { JsonObject, SpanSchema, StoredHit } from './schema';
import { zipkinSchema } from './zipkin';

export type TraceFileFormat = 'otlp' | 'jaeger' | 'zipkin';

export interface TraceFileSpans {
  format: TraceFileFormat;
  /** Every readable span of the file, of every trace, in file order. */
  spans: LogicalSpan[];
  /** Spans left out (naming where they are), and what the producer said about the trace. */
  warnings: string[];
  /** Mends what crosses spans once a trace is whole (Zipkin's shared spans), as after an engine read. */
  finishTrace?: SpanSchema['finishTrace'];
}

/** What the file is instead of a trace, said to whoever chose it. */
export interface TraceFileProblem {
  problem: string;
}

export const TRACE_FILE_FORMATS =
  'OTLP/JSON ({"resourceSpans": [...]}, or Jaeger\'s api/v3 answer {"result": {"resourceSpans": [...]}}), ' +
  'Jaeger JSON as its query API and "Download JSON" give it ({"data": [{"traceID": ..., "spans": [...], "processes": {...}}]}) ' +
  'or Zipkin v2 JSON (a list of spans, or a list of such lists)';

/** Where readers of stored documents name a document, a span of a file is `file/<its path>`. */
const FILE = 'file';
const SKIP_EXAMPLES = 3;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The spans of a trace file's text, or what the file is instead. */
export function readTraceFile(text: string): TraceFileSpans | TraceFileProblem {
  if (text.trim() === '') {
    return { problem: 'the file is empty' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    value = parseOtlpLines(text);
    if (value === undefined) {
      return { problem: `the file is not JSON (${(error as Error).message}); expected ${TRACE_FILE_FORMATS}` };
    }
  }
  return readTraceValue(value);
}

/** The Collector's file exporter (and Jaeger's api/v3 stream) write one request per line. */
function parseOtlpLines(text: string): JsonObject | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2) {
    return undefined;
  }
  const resourceSpans: unknown[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return undefined;
    }
    const request = otlpRequestOf(value);
    if (!request) {
      return undefined;
    }
    resourceSpans.push(...request.resourceSpans);
  }
  return { resourceSpans };
}

function otlpRequestOf(value: unknown): { resourceSpans: unknown[] } | undefined {
  if (isTraceRequest(value)) {
    return value;
  }
  return isObject(value) && isTraceRequest(value.result) ? value.result : undefined;
}

/** The spans of a parsed trace file, or what it is instead. */
export function readTraceValue(value: unknown): TraceFileSpans | TraceFileProblem {
  const otlp = otlpRequestOf(value);
  if (otlp) {
    return readOtlp(otlp.resourceSpans);
  }
  if (Array.isArray(value)) {
    return readZipkin(value);
  }
  if (isObject(value)) {
    if (Array.isArray(value.data)) {
      return readJaeger(value.data);
    }
    if (Array.isArray(value.spans) && isObject(value.processes)) {
      return readJaeger([value]);
    }
    const answered = errorAnswer(value);
    if (answered) {
      return { problem: `the file is an error answer, not a trace: ${answered}` };
    }
  }
  return { problem: `the file is not a trace file: expected ${TRACE_FILE_FORMATS}; it holds ${described(value)}` };
}

/** Jaeger's api/v1 `{"data": null, "errors": [{"msg": ...}]}` and api/v3 `{"error": {"message": ...}}`. */
function errorAnswer(value: JsonObject): string | undefined {
  const messages = [...(Array.isArray(value.errors) ? value.errors : []), value.error]
    .map((error) => (isObject(error) ? error.msg ?? error.message : undefined))
    .filter((message): message is string => typeof message === 'string' && message !== '');
  return messages.length > 0 ? messages.join('; ') : undefined;
}

function described(value: unknown): string {
  if (Array.isArray(value)) {
    return `a list of ${value.length} ${value.length === 1 ? 'item' : 'items'}`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with the keys ${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}`;
  }
  return value === null ? 'null' : `a ${typeof value}`;
}

/** "2 entries of the file could not be read as spans ... (first reasons)": nothing is left out silently. */
function skipped(problems: string[]): string[] {
  if (problems.length === 0) {
    return [];
  }
  const one = problems.length === 1;
  const examples = problems.slice(0, SKIP_EXAMPLES).join('; ');
  return [`${problems.length} ${one ? 'entry' : 'entries'} of the file could not be read as spans and ${one ? 'was' : 'were'} skipped (${examples}${problems.length > SKIP_EXAMPLES ? '; ...' : ''})`];
}

/** The elements of a list in the file, or the problem of a value that is no list. */
function listAt(value: unknown, path: string, problems: string[]): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  if (value !== undefined && value !== null) {
    problems.push(`${path} is not a list`);
  }
  return [];
}

// ---- OTLP ------------------------------------------------------------------------------------

/** Each span checked as `estraces ingest` checks it, so a file reads as its ingested documents do. */
function readOtlp(resourceSpans: unknown[]): TraceFileSpans {
  const spans: LogicalSpan[] = [];
  const problems: string[] = [];
  resourceSpans.forEach((group, i) => {
    const resourcePath = `resourceSpans[${i}]`;
    if (!isObject(group)) {
      problems.push(`${resourcePath} is not an object`);
      return;
    }
    listAt(group.scopeSpans, `${resourcePath}.scopeSpans`, problems).forEach((scopeGroup, j) => {
      const scopePath = `${resourcePath}.scopeSpans[${j}]`;
      if (!isObject(scopeGroup)) {
        problems.push(`${scopePath} is not an object`);
        return;
      }
      const context = otlpRecordContext(group.resource, group.schemaUrl, scopeGroup.scope, scopeGroup.schemaUrl);
      listAt(scopeGroup.spans, `${scopePath}.spans`, problems).forEach((raw, k) => {
        const span = typeof context === 'string' ? context : checkedOtlpSpan(raw, context);
        if (typeof span === 'string') {
          problems.push(`${scopePath}.spans[${k}]: ${span}`);
        } else {
          spans.push(withJaegerWarnings(span));
        }
      });
    });
  });
  return { format: 'otlp', spans, warnings: skipped(problems) };
}

/**
 * Jaeger's api/v3 answer carries what its query said of a span (e.g. its clock skew adjuster's
 * warnings) in the span attribute `@jaeger@warnings`, a list of strings (jptrace.WarningsAttribute):
 * shown as the span's warnings, as from Jaeger's own JSON, not as an attribute of the span.
 */
const JAEGER_WARNINGS_ATTRIBUTE = '@jaeger@warnings';

function withJaegerWarnings(span: LogicalSpan): LogicalSpan {
  if (!(JAEGER_WARNINGS_ATTRIBUTE in span.attributes)) {
    return span;
  }
  const { [JAEGER_WARNINGS_ATTRIBUTE]: said, ...attributes } = span.attributes;
  span.source.warnings.push(...jaegerWarnings(Array.isArray(said) ? said : [said]));
  return { ...span, attributes };
}

// ---- Jaeger ----------------------------------------------------------------------------------

/**
 * Each span with its process put back (the API lists processes once per trace), read as the stored
 * document it then is. What Jaeger's query says of a trace or span (its `warnings`, e.g. from clock
 * skew adjustment) is kept with it.
 */
function readJaeger(traces: unknown[]): TraceFileSpans {
  const hits: StoredHit[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  const spanWarnings = new Map<string, string[]>();
  traces.forEach((trace, i) => {
    const tracePath = `data[${i}]`;
    if (!isObject(trace)) {
      problems.push(`${tracePath} is not an object`);
      return;
    }
    const processes = isObject(trace.processes) ? trace.processes : {};
    warnings.push(...jaegerWarnings(trace.warnings));
    listAt(trace.spans, `${tracePath}.spans`, problems).forEach((raw, j) => {
      const path = `${tracePath}.spans[${j}]`;
      const span = isObject(raw) ? raw : {};
      const said = jaegerWarnings(span.warnings);
      const processId = span.processID;
      let process = span.process;
      if (!isObject(process)) {
        process = typeof processId === 'string' ? processes[processId] : undefined;
        if (isObject(raw) && !isObject(process)) {
          said.push(processId === undefined ? 'the span names no process (processID), so its service is unknown' : `its processID ${JSON.stringify(processId)} names no process of ${tracePath}.processes, so its service is unknown`);
        }
      }
      if (said.length > 0) {
        spanWarnings.set(path, said);
      }
      hits.push({ _index: FILE, _id: path, _source: { ...span, process } });
    });
  });
  const read = jaegerSchema.readHits(hits);
  for (const span of read.spans) {
    span.source.warnings.push(...(spanWarnings.get(span.source.id ?? '') ?? []));
  }
  return { format: 'jaeger', spans: read.spans, warnings: [...warnings, ...skipped(problems), ...read.warnings] };
}

function jaegerWarnings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((warning): warning is string => typeof warning === 'string' && warning !== '').map((warning) => `Jaeger: ${warning}`) : [];
}

// ---- Zipkin ----------------------------------------------------------------------------------

/** A list of spans, or (every element a list) a list of traces; read as Zipkin's stored documents. */
function readZipkin(list: unknown[]): TraceFileSpans | TraceFileProblem {
  const hits: StoredHit[] = [];
  const add = (raw: unknown, path: string) => hits.push({ _index: FILE, _id: path, _source: isObject(raw) ? raw : {} });
  if (list.length > 0 && list.every(Array.isArray)) {
    list.forEach((trace, i) => (trace as unknown[]).forEach((raw, j) => add(raw, `[${i}][${j}]`)));
  } else if (list.some((raw) => isObject(raw) && 'traceId' in raw)) {
    list.forEach((raw, j) => add(raw, `[${j}]`));
  } else {
    return { problem: `the file holds ${described(list)} but no Zipkin span (an object with traceId and id): expected ${TRACE_FILE_FORMATS}` };
  }
  const read = zipkinSchema.readHits(hits);
  return { format: 'zipkin', spans: read.spans, warnings: read.warnings, finishTrace: zipkinSchema.finishTrace };
}
