/**
 * Reading OTLP/JSON files for `estraces ingest` without holding them: a file is one export request
 * ({"resourceSpans": [...]} or {"resourceLogs": [...]}) or many, one per line, as the Collector's
 * file exporter writes them (JSON Lines; any whitespace between requests is accepted). An
 * incremental scanner walks the envelope and hands over one span or log record at a time.
 *
 * Two passes over each file: the first checks the whole envelope (JSON syntax included, so a
 * truncated or foreign file fails before anything is written) and keeps only the resource and
 * scope of every group (they may come after the spans: protobuf's JSON puts `schemaUrl` last);
 * the second converts records and yields them in batches. Records that cannot be stored are
 * rejected one by one, with their place in the file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

import type { LogicalLogRecord, LogicalSpan } from '../proto/model';
import { checkedOtlpLogRecord, checkedOtlpSpan, type OtlpRecordContext, otlpRecordContext } from '../proto/otlp';

export type PathPart = string | number;
type ValueKind = 'object' | 'array' | 'string' | 'literal';

/** What the scanner reports about values at paths of at most `MAX_TRACKED_DEPTH` parts. */
export interface EnvelopeEvents {
  /** A value begins; return true to receive it whole (parsed) in `value`. */
  start(path: PathPart[], kind: ValueKind, line: number): boolean;
  value(path: PathPart[], value: unknown, line: number): void;
  /** An object or array ends. */
  end(path: PathPart[], line: number): void;
}

/** Paths are followed down to a record: [request, 'resourceSpans', i, 'scopeSpans', j, 'spans', k]. */
const MAX_TRACKED_DEPTH = 7;
const LITERAL = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

enum Expect {
  TopValue,
  ObjectKeyOrEnd,
  ObjectKey,
  Colon,
  ObjectValue,
  ObjectCommaOrEnd,
  ArrayValueOrEnd,
  ArrayValue,
  ArrayCommaOrEnd,
}

enum Mode {
  Structure,
  String,
  Literal,
  Capture,
}

interface Frame {
  kind: 'object' | 'array';
  expect: Expect;
  key: string | undefined;
  index: number;
  path: PathPart[] | undefined;
}

export class EnvelopeSyntaxError extends Error {}

/**
 * An incremental scanner for a sequence of JSON values (one document, or JSON Lines). Values the
 * listener asks for are cut out and parsed on their own; everything else is checked and dropped,
 * so memory holds one captured value, never the input.
 */
export class EnvelopeScanner {
  private stack: Frame[] = [];
  private mode = Mode.Structure;
  private topExpect = Expect.TopValue;
  private request = 0;
  private line = 1;
  // The value being cut out: its path, first line, text so far (chunks) and where it began in this chunk.
  private valuePath: PathPart[] | undefined;
  private valueLine = 0;
  private wanted = false;
  private isKey = false;
  private parts: string[] = [];
  private from = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly events: EnvelopeEvents) {}

  /** How many top-level values (export requests) were complete so far. */
  get requests(): number {
    return this.request;
  }

  write(chunk: string): void {
    this.from = 0;
    const length = chunk.length;
    let i = 0;
    while (i < length) {
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        this.line++;
      }
      switch (this.mode) {
        case Mode.Capture:
          i = this.scanCapture(chunk, i);
          continue;
        case Mode.String:
          if (this.escaped) {
            this.escaped = false;
          } else if (c === 92) {
            this.escaped = true;
          } else if (c === 34) {
            this.finishString(chunk, i);
          }
          i++;
          continue;
        case Mode.Literal:
          if (c === 32 || c === 10 || c === 13 || c === 9 || c === 44 || c === 93 || c === 125) {
            if (c === 10) {
              this.line--; // counted again when the delimiter is read as structure
            }
            this.finishLiteral(chunk.slice(this.from, i));
            continue;
          }
          i++;
          continue;
        default:
          this.structure(chunk, i, c);
          i++;
      }
    }
    if (this.mode !== Mode.Structure && (this.mode !== Mode.String || this.wanted || this.isKey)) {
      this.parts.push(chunk.slice(this.from));
    }
  }

  /** The input ended: anything left open means a truncated file. */
  end(): void {
    if (this.mode === Mode.Literal) {
      this.finishLiteral('');
    }
    if (this.mode !== Mode.Structure || this.stack.length > 0) {
      throw new EnvelopeSyntaxError(`ends inside a value that begins on line ${this.mode === Mode.Structure ? this.line : this.valueLine} (is the file truncated?)`);
    }
  }

  private fail(message: string): never {
    throw new EnvelopeSyntaxError(`line ${this.line}: ${message}`);
  }

  private structure(chunk: string, i: number, c: number): void {
    // A byte order mark some editors write at the start of a file counts as whitespace.
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff) {
      return;
    }
    const frame = this.stack[this.stack.length - 1];
    const expect = frame ? frame.expect : this.topExpect;
    switch (expect) {
      case Expect.ObjectKeyOrEnd:
      case Expect.ObjectKey:
        if (c === 125 && expect === Expect.ObjectKeyOrEnd) {
          this.close();
        } else if (c === 34) {
          this.begin(Mode.String, i, true, false);
        } else {
          this.fail(`expected a quoted key, found '${chunk[i]}'`);
        }
        return;
      case Expect.Colon:
        if (c !== 58) {
          this.fail(`expected ':' after key "${frame.key}", found '${chunk[i]}'`);
        }
        frame.expect = Expect.ObjectValue;
        return;
      case Expect.ObjectCommaOrEnd:
      case Expect.ArrayCommaOrEnd:
        if (c === 44) {
          frame.expect = expect === Expect.ObjectCommaOrEnd ? Expect.ObjectKey : Expect.ArrayValue;
          frame.index += expect === Expect.ArrayCommaOrEnd ? 1 : 0;
        } else if (c === (expect === Expect.ObjectCommaOrEnd ? 125 : 93)) {
          this.close();
        } else {
          this.fail(`expected ',' or '${expect === Expect.ObjectCommaOrEnd ? '}' : ']'}', found '${chunk[i]}'`);
        }
        return;
      case Expect.ArrayValueOrEnd:
        if (c === 93) {
          this.close();
          return;
        }
        this.startValue(chunk, i, c, frame);
        return;
      default:
        this.startValue(chunk, i, c, frame);
    }
  }

  private startValue(chunk: string, i: number, c: number, parent: Frame | undefined): void {
    const kind: ValueKind | undefined = c === 123 ? 'object' : c === 91 ? 'array' : c === 34 ? 'string' : c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110 ? 'literal' : undefined;
    if (!kind) {
      this.fail(`unexpected '${chunk[i]}'${parent ? '' : ' where a JSON value should begin'}`);
    }
    const path = !parent ? [this.request] : parent.path && parent.path.length < MAX_TRACKED_DEPTH ? [...parent.path, parent.kind === 'object' ? parent.key! : parent.index] : undefined;
    const wanted = path ? this.events.start(path, kind, this.line) : false;
    this.valuePath = path;
    this.valueLine = this.line;
    if (kind === 'string') {
      this.begin(Mode.String, i, false, wanted);
    } else if (kind === 'literal') {
      this.begin(Mode.Literal, i, false, wanted);
    } else if (wanted) {
      this.begin(Mode.Capture, i, false, true);
      this.depth = 1;
      this.inString = false;
      this.escaped = false;
    } else {
      this.stack.push({ kind, expect: kind === 'object' ? Expect.ObjectKeyOrEnd : Expect.ArrayValueOrEnd, key: undefined, index: 0, path });
    }
  }

  private begin(mode: Mode, i: number, isKey: boolean, wanted: boolean): void {
    this.mode = mode;
    this.isKey = isKey;
    this.wanted = wanted;
    this.parts = [];
    this.from = i;
    this.escaped = false;
  }

  private text(chunk: string, endExclusive: number): string {
    const tail = chunk.slice(this.from, endExclusive);
    const text = this.parts.length === 0 ? tail : this.parts.join('') + tail;
    this.parts = [];
    return text;
  }

  private parse(text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new EnvelopeSyntaxError(`line ${this.valueLine}: ${what} is not valid JSON: ${(error as Error).message}`);
    }
  }

  private finishString(chunk: string, i: number): void {
    this.mode = Mode.Structure;
    if (this.isKey) {
      const frame = this.stack[this.stack.length - 1];
      frame.key = this.parse(this.text(chunk, i + 1), 'a key') as string;
      frame.expect = Expect.Colon;
      return;
    }
    if (this.wanted) {
      this.events.value(this.valuePath!, this.parse(this.text(chunk, i + 1), 'a string'), this.valueLine);
    }
    this.valueDone();
  }

  private finishLiteral(tail: string): void {
    const text = this.parts.join('') + tail;
    this.parts = [];
    this.mode = Mode.Structure;
    if (!LITERAL.test(text)) {
      this.fail(`'${text.length > 20 ? `${text.slice(0, 20)}...` : text}' is not a JSON value`);
    }
    if (this.wanted) {
      this.events.value(this.valuePath!, JSON.parse(text), this.valueLine);
    }
    this.valueDone();
  }

  /** Inside a wanted object or array only strings and brackets matter; JSON.parse checks the rest. */
  private scanCapture(chunk: string, start: number): number {
    const length = chunk.length;
    for (let i = start; i < length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (c === 92) {
          this.escaped = true;
        } else if (c === 34) {
          this.inString = false;
        }
      } else if (c === 34) {
        this.inString = true;
      } else if (c === 123 || c === 91) {
        this.depth++;
      } else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          this.mode = Mode.Structure;
          this.events.value(this.valuePath!, this.parse(this.text(chunk, i + 1), `the value at ${jsonPath(this.valuePath!)}`), this.valueLine);
          this.valueDone();
          return i + 1;
        }
      } else if (c === 10 && i !== start) {
        this.line++;
      }
    }
    return length;
  }

  private close(): void {
    const frame = this.stack.pop()!;
    if (frame.path) {
      this.events.end(frame.path, this.line);
    }
    this.valueDone();
  }

  private valueDone(): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.request++;
    } else {
      parent.expect = parent.kind === 'object' ? Expect.ObjectCommaOrEnd : Expect.ArrayCommaOrEnd;
    }
  }
}

/** `resourceSpans[0].scopeSpans[1].spans[3]` for [request, 'resourceSpans', 0, ...] (the request is told by the line). */
export function jsonPath(path: PathPart[]): string {
  let text = '';
  for (const part of path.slice(1)) {
    text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`;
  }
  return text === '' ? 'the top level' : text;
}

// ---- the OTLP envelope ---------------------------------------------------------------------

type Signal = 'spans' | 'logs';
const LAYOUT = {
  spans: { top: 'resourceSpans', scope: 'scopeSpans', records: 'spans' },
  logs: { top: 'resourceLogs', scope: 'scopeLogs', records: 'logRecords' },
} as const;

/** Where a record sits: the file, its line and its JSON path. */
export interface RecordPosition {
  file: string;
  line: number;
  path: string;
}

export interface RejectedRecord extends RecordPosition {
  reason: string;
}

/** The raw resource and scope parts of each group, keyed `request/i/j` (and `request/i` for the resource). */
interface GroupParts {
  resource?: unknown;
  resourceSchemaUrl?: unknown;
  scope?: unknown;
  scopeSchemaUrl?: unknown;
}

export interface OtlpFileSurvey {
  file: string;
  bytes: number;
  requests: number;
  spans: number;
  logs: number;
  groups: Map<string, GroupParts>;
  /** With `wholeTraces`: each trace's last span, by its place among the file's spans. */
  traceEnds?: Map<string, number>;
}

export interface ReadOptions {
  /**
   * Cut batches only between traces (where no trace read so far has spans still to come), for
   * schemas whose documents depend on the rest of the trace; a batch then holds at most
   * `WHOLE_TRACE_CAP` times the batch size. Costs a number per trace in the first pass.
   */
  wholeTraces?: boolean;
}

/** How far past the batch size a batch may grow to keep a trace whole. */
export const WHOLE_TRACE_CAP = 10;

const rawTraceId = (span: unknown): string | undefined => {
  const id = (span as { traceId?: unknown } | null)?.traceId;
  return typeof id === 'string' ? id.toLowerCase() : undefined;
};

const groupKey = (path: PathPart[], length: number): string => path.slice(0, length).join('/');

/** Which part of the OTLP envelope a path is, and whether it is one of the parts the envelope requires. */
function classify(path: PathPart[]): { signal: Signal; part: 'top' | 'group' | 'scopes' | 'scope' | 'records' | 'record' | 'resource' | 'resourceSchemaUrl' | 'scopeDetail' | 'scopeSchemaUrl' } | undefined {
  const top = path[1];
  const signal: Signal | undefined = top === 'resourceSpans' ? 'spans' : top === 'resourceLogs' ? 'logs' : undefined;
  if (!signal) {
    return undefined;
  }
  const layout = LAYOUT[signal];
  switch (path.length) {
    case 2:
      return { signal, part: 'top' };
    case 3:
      return { signal, part: 'group' };
    case 4:
      return path[3] === layout.scope ? { signal, part: 'scopes' } : path[3] === 'resource' ? { signal, part: 'resource' } : path[3] === 'schemaUrl' ? { signal, part: 'resourceSchemaUrl' } : undefined;
    case 5:
      return path[3] === layout.scope ? { signal, part: 'scope' } : undefined;
    case 6:
      return path[5] === layout.records ? { signal, part: 'records' } : path[5] === 'scope' ? { signal, part: 'scopeDetail' } : path[5] === 'schemaUrl' ? { signal, part: 'scopeSchemaUrl' } : undefined;
    case 7:
      return path[5] === layout.records ? { signal, part: 'record' } : undefined;
    default:
      return undefined;
  }
}

const KIND_WANTED = { top: 'array', group: 'object', scopes: 'array', scope: 'object', records: 'array' } as const;

async function scanFile(file: string, events: EnvelopeEvents): Promise<number> {
  const scanner = new EnvelopeScanner(events);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) {
      scanner.write(chunk as string);
    }
    scanner.end();
  } catch (error) {
    stream.destroy();
    throw error instanceof EnvelopeSyntaxError ? new Error(`${file} is not OTLP/JSON: ${error.message}`) : error;
  }
  return scanner.requests;
}

function readError(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return new Error(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? (error as Error).message}`);
}

/**
 * The first pass: checks that `file` is OTLP/JSON from end to end and counts its records,
 * keeping only resources and scopes. Throws a message naming the file when it is empty, not
 * JSON, not OTLP export requests, or holds no span and no log record.
 */
export async function surveyOtlpFile(file: string, options: ReadOptions = {}): Promise<OtlpFileSurvey> {
  let bytes: number;
  try {
    bytes = (await stat(file)).size;
  } catch (error) {
    throw readError(file, error);
  }
  const survey: OtlpFileSurvey = { file, bytes, requests: 0, spans: 0, logs: 0, groups: new Map(), traceEnds: options.wholeTraces ? new Map() : undefined };
  const signals: Array<Set<Signal>> = [];
  const group = (path: PathPart[], length: number): GroupParts => {
    const key = groupKey(path, length);
    let parts = survey.groups.get(key);
    if (!parts) {
      parts = {};
      survey.groups.set(key, parts);
    }
    return parts;
  };
  const notOtlp = (line: number, message: string) => new EnvelopeSyntaxError(`line ${line}: ${message}`);
  try {
    survey.requests = await scanFile(file, {
      start(path, kind, line) {
        if (path.length === 1) {
          if (kind !== 'object') {
            throw notOtlp(line, `expected an export request object ({"resourceSpans": [...]} or {"resourceLogs": [...]}), found ${kind === 'array' ? 'an array' : `a ${kind}`}`);
          }
          signals[path[0] as number] = new Set();
          return false;
        }
        const place = classify(path);
        if (!place) {
          return false;
        }
        const wantedKind = KIND_WANTED[place.part as keyof typeof KIND_WANTED];
        if (wantedKind && kind !== wantedKind) {
          throw notOtlp(line, `${jsonPath(path)} is ${kind === 'object' || kind === 'array' ? `an ${kind}` : `a ${kind}`}, not ${wantedKind === 'array' ? 'a list' : 'an object'}`);
        }
        if (place.part === 'top') {
          signals[path[0] as number].add(place.signal);
        } else if (place.part === 'record') {
          survey[place.signal]++;
        }
        // Records are cut out and parsed here too, so a syntax error anywhere fails before any write.
        return place.part === 'record' || place.part === 'resource' || place.part === 'resourceSchemaUrl' || place.part === 'scopeDetail' || place.part === 'scopeSchemaUrl';
      },
      value(path, value) {
        const place = classify(path)!;
        if (place.part === 'record') {
          const traceId = place.signal === 'spans' && survey.traceEnds ? rawTraceId(value) : undefined;
          if (traceId !== undefined) {
            survey.traceEnds!.set(traceId, survey.spans - 1);
          }
        } else if (place.part === 'resource') {
          group(path, 3).resource = value;
        } else if (place.part === 'resourceSchemaUrl') {
          group(path, 3).resourceSchemaUrl = value;
        } else if (place.part === 'scopeDetail') {
          group(path, 5).scope = value;
        } else if (place.part === 'scopeSchemaUrl') {
          group(path, 5).scopeSchemaUrl = value;
        }
      },
      end(path, line) {
        if (path.length === 1 && signals[path[0] as number].size === 0) {
          throw notOtlp(line, 'this export request has neither a "resourceSpans" nor a "resourceLogs" list');
        }
      },
    });
  } catch (error) {
    if (error instanceof EnvelopeSyntaxError) {
      throw new Error(`${file} is not OTLP/JSON: ${error.message}`);
    }
    throw (error as NodeJS.ErrnoException).code ? readError(file, error) : error;
  }
  if (survey.requests === 0) {
    throw new Error(`${file} is empty: it holds no OTLP/JSON export request`);
  }
  if (survey.spans + survey.logs === 0) {
    throw new Error(`${file} holds ${survey.requests === 1 ? 'an export request' : `${survey.requests} export requests`} but no span and no log record`);
  }
  return survey;
}

/** Records read and converted at a time: what memory holds, whatever the file's size. */
export const OTLP_BATCH_RECORDS = 5_000;

export interface OtlpBatch {
  spans: LogicalSpan[];
  logs: LogicalLogRecord[];
  /** Where each log record of `logs` sits, a stable part of its document id. */
  logKeys: string[];
  rejected: RejectedRecord[];
}

const emptyBatch = (): OtlpBatch => ({ spans: [], logs: [], logKeys: [], rejected: [] });

/**
 * Collects records from the scanner's callbacks into batches; a batch is cut as soon as it is
 * full (and, keeping traces whole, no trace is open), so a chunk of input may complete several.
 */
class BatchCutter {
  batch = emptyBatch();
  size = 0;
  readonly ready: OtlpBatch[] = [];
  /** Traces with spans in the batches so far and more spans still to come. */
  private readonly open = new Set<string>();
  private spanOrdinal = 0;

  constructor(
    private readonly batchSize: number,
    private readonly traceEnds: Map<string, number> | undefined
  ) {}

  /** Call once per span record, valid or not, in file order. */
  spanSeen(raw: unknown): void {
    const ordinal = this.spanOrdinal++;
    const traceId = this.traceEnds ? rawTraceId(raw) : undefined;
    if (traceId !== undefined) {
      if ((this.traceEnds!.get(traceId) ?? ordinal) > ordinal) {
        this.open.add(traceId);
      } else {
        this.open.delete(traceId);
      }
    }
  }

  recorded(): void {
    this.size++;
    if (this.size >= this.batchSize && (this.open.size === 0 || this.size >= this.batchSize * WHOLE_TRACE_CAP)) {
      this.cut();
    }
  }

  cut(): void {
    if (this.size > 0) {
      this.ready.push(this.batch);
      this.batch = emptyBatch();
      this.size = 0;
    }
  }
}

/**
 * The second pass: every span and log record of the surveyed file, converted, in batches of
 * about `batchSize` records; records that cannot be stored come back as rejections instead.
 */
export async function* readOtlpBatches(survey: OtlpFileSurvey, batchSize: number): AsyncGenerator<OtlpBatch> {
  const cutter = new BatchCutter(batchSize, survey.traceEnds);
  const contexts = new Map<string, OtlpRecordContext | string>();
  const contextOf = (path: PathPart[]): OtlpRecordContext | string => {
    const key = groupKey(path, 5);
    let context = contexts.get(key);
    if (context === undefined) {
      const resource = survey.groups.get(groupKey(path, 3));
      const scope = survey.groups.get(key);
      context = otlpRecordContext(resource?.resource, resource?.resourceSchemaUrl, scope?.scope, scope?.scopeSchemaUrl);
      // One scope group at a time is converted: contexts of earlier ones are not needed again.
      contexts.clear();
      contexts.set(key, context);
    }
    return context;
  };
  const scanner = new EnvelopeScanner({
    start: (path) => path.length === 7 && classify(path)?.part === 'record',
    value(path, value, line) {
      const signal = path[1] === 'resourceSpans' ? 'spans' : 'logs';
      const context = contextOf(path);
      const record = typeof context === 'string' ? context : signal === 'spans' ? checkedOtlpSpan(value, context) : checkedOtlpLogRecord(value, context);
      const position = jsonPath(path);
      const batch = cutter.batch;
      if (signal === 'spans') {
        cutter.spanSeen(value);
      }
      if (typeof record === 'string') {
        batch.rejected.push({ file: survey.file, line, path: position, reason: record });
      } else if (signal === 'spans') {
        batch.spans.push(record as LogicalSpan);
      } else {
        batch.logs.push(record as LogicalLogRecord);
        batch.logKeys.push(survey.requests > 1 ? `${path[0]}:${position}` : position);
      }
      cutter.recorded();
    },
    end: () => undefined,
  });
  const stream = createReadStream(survey.file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) {
      scanner.write(chunk as string);
      yield* cutter.ready.splice(0);
    }
    scanner.end();
  } catch (error) {
    throw error instanceof EnvelopeSyntaxError ? new Error(`${survey.file} changed while it was read: ${error.message}`) : error;
  } finally {
    stream.destroy();
  }
  cutter.cut();
  yield* cutter.ready.splice(0);
}

/** Rejected records: all counted, the first `limit` kept to be shown. */
export class Rejections {
  count = 0;
  readonly first: RejectedRecord[] = [];

  constructor(readonly limit = 20) {}

  add(records: RejectedRecord[]): void {
    this.count += records.length;
    this.first.push(...records.slice(0, Math.max(0, this.limit - this.first.length)));
  }
}

export interface OtlpInput {
  surveys: OtlpFileSurvey[];
  spans: number;
  logs: number;
  rejections: Rejections;
  /** The records of every file, batch by batch; rejected ones go to `rejections` on the way. */
  batches(batchSize: number): AsyncGenerator<OtlpBatch>;
}

/** Surveys every file first (so a bad file fails before anything is written), then reads them in turn. */
export async function openOtlpFiles(paths: string[], options: ReadOptions & { rejectionLimit?: number } = {}): Promise<OtlpInput> {
  const surveys: OtlpFileSurvey[] = [];
  for (const path of paths) {
    surveys.push(await surveyOtlpFile(path, options));
  }
  const rejections = new Rejections(options.rejectionLimit);
  return {
    surveys,
    spans: surveys.reduce((sum, survey) => sum + survey.spans, 0),
    logs: surveys.reduce((sum, survey) => sum + survey.logs, 0),
    rejections,
    async *batches(batchSize: number) {
      for (const survey of surveys) {
        for await (const batch of readOtlpBatches(survey, batchSize)) {
          rejections.add(batch.rejected);
          yield batch;
        }
      }
    },
  };
}

/** `file:line path: reason`, one line per rejected record. */
export function formatRejection(record: RejectedRecord): string {
  return `${record.file}:${record.line} ${record.path}: ${record.reason}`;
}
