/**
 * Shared pieces of the reader properties: arbitrary logical spans and log records (within what
 * every schema's writer accepts), arbitrary and mutated documents, the well-formedness rules a
 * read span must meet, and the one seed every property runs with.
 */
import fc from 'fast-check';
import { type Attributes, type AttributeValue, type LogicalLogRecord, type LogicalSpan, SPAN_KINDS, type SpanEvent, type SpanLink, type StatusCode } from '../../../../src/proto/model';
import type { JsonObject, ReadResult, StoredHit } from '../../../../src/proto/schema';

/** Every property runs from this seed, so a failure names a case anyone can replay. */
export const SEED = 20261202;

/** `fc.assert` options for a property run `numRuns` times from the fixed seed. */
export const runs = (numRuns: number) => ({ seed: SEED, numRuns });

const HEX_DIGITS = '0123456789abcdef'.split('');
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...HEX_DIGITS), minLength: length, maxLength: length }).filter((id) => !/^0+$/.test(id));
export const traceIdArb = hex(32);
export const spanIdArb = hex(16);

/** 2001-09-09 to 2286-11-20: epoch milliseconds have 13 digits, as every schema's writer assumes. */
const MIN_START_NS = BigInt('1000000000000000000');
const MAX_START_NS = BigInt('9000000000000000000');
const startArb = fc.bigInt({ min: MIN_START_NS, max: MAX_START_NS });
/** Up to an hour. */
const durationArb = fc.bigInt({ min: BigInt(0), max: BigInt('3600000000000') });

const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'.split('')), minLength: 1, maxLength: 8 });
/** Printable text every store keeps (Zipkin lower-cases names, as its projection says). */
const text = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /_-:'.split('')), minLength: 1, maxLength: 24 }).filter((value) => value.trim() === value);

/**
 * Attribute keys no schema reserves, renames or reads as resource: one segment (`a_x`) or two
 * (`app.x`); never a key that is a prefix of another, which nesting producers could not store.
 */
const attributeKey = fc.oneof(word.map((w) => `a_${w}`), word.map((w) => `app.${w}`));
const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  text,
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.integer({ min: -1000, max: 1000 }).map((n) => n + 0.5),
  fc.boolean(),
  fc.array(text, { minLength: 1, maxLength: 3 }),
);
export const attributesArb: fc.Arbitrary<Attributes> = fc.dictionary(attributeKey, attributeValue, { maxKeys: 4 });

const eventsArb = (start: bigint): fc.Arbitrary<SpanEvent[]> =>
  fc
    .uniqueArray(fc.record({ name: word.map((w) => `ev_${w}`), offset: fc.bigInt({ min: BigInt(0), max: BigInt('1000000000') }), attributes: attributesArb }), { maxLength: 3, selector: (event) => event.name })
    .map((events) => events.map((event) => ({ timeUnixNano: start + event.offset, name: event.name, attributes: event.attributes })).sort((a, b) => (a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0)));

const linkArb: fc.Arbitrary<SpanLink> = fc.record({ traceId: traceIdArb, spanId: spanIdArb, attributes: attributesArb });

/** A logical span as a producer would have it: valid ids, 13-digit-millisecond start, names and service set. */
export const logicalSpanArb: fc.Arbitrary<LogicalSpan> = startArb.chain((start) =>
  fc.record({
    traceId: traceIdArb,
    spanId: spanIdArb,
    parentSpanId: fc.option(spanIdArb, { nil: undefined }),
    name: text,
    serviceName: word.map((w) => `svc-${w}`),
    kind: fc.constantFrom(...SPAN_KINDS),
    startTimeUnixNano: fc.constant(start),
    durationNano: durationArb,
    statusCode: fc.constantFrom<StatusCode>(0, 1, 2),
    statusMessage: fc.option(text, { nil: undefined }),
    attributes: attributesArb,
    resourceAttributes: fc.constant({}),
    scope: fc.option(fc.record({ name: word.map((w) => `lib.${w}`), version: fc.option(fc.constantFrom('1.0.0', '2.3.1'), { nil: undefined }) }), { nil: undefined }),
    traceState: fc.option(fc.constantFrom('vendor=value', 'a=1,b=2'), { nil: undefined }),
    events: eventsArb(start),
    links: fc.array(linkArb, { maxLength: 2 }),
    source: fc.constant({ schema: 'generated', index: '', warnings: [] as string[] }),
  }).map((span) => ({ ...span, resourceAttributes: { 'service.name': span.serviceName } })),
);

/** A log record inside a span, as the logs schemas' writers take it. */
export const logRecordArb: fc.Arbitrary<LogicalLogRecord> = fc.record({
  timeUnixNano: startArb,
  traceId: traceIdArb,
  spanId: spanIdArb,
  severityText: fc.constantFrom('INFO', 'WARN', 'ERROR'),
  severityNumber: fc.constantFrom(9, 13, 17),
  body: text,
  attributes: attributesArb,
  resourceAttributes: word.map((w) => ({ 'service.name': `svc-${w}` })),
});

// ---- documents -----------------------------------------------------------------------------

/** Anything JSON can hold, as an engine's `_source` or a part of one. */
export const arbitrarySourceArb: fc.Arbitrary<JsonObject> = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });

/**
 * Values a reader must never take for an id or a time: wrong types, empty and blank text, text
 * that is neither hex nor a time, negative and non-finite-looking numbers, ids of the wrong length.
 */
export const UNREADABLE_VALUES: unknown[] = [
  'not-a-time',
  'zz-not-hex',
  '-1',
  '-1500',
  // Date.parse takes these two for 2001-01-01 and 2001-02-01.
  '-1 ',
  'a 2',
  '1.5e3',
  'NaN',
  'Infinity',
  '2024-13-45T99:99:99Z',
  // Before the Unix epoch, where OTLP's unsigned times cannot go (Go's zero time among them).
  '1969-07-20T20:17:40Z',
  '0001-01-01T00:00:00Z',
  '0x1a2b',
  'g'.repeat(16),
  'a'.repeat(33),
  'b'.repeat(40),
  -1,
  -1.5,
  1e308,
  -1e308,
  true,
  false,
  [],
  [1, 'x'],
  {},
  { a: 1 },
];

/** Values that mean "not stored" to every producer; a reader may take them as absent. */
export const ABSENT_VALUES: unknown[] = [null, '', ' '];

export type Path = Array<string | number>;

/** Every path to a value in a document: object keys and array positions, leaves and inner nodes. */
export function documentPaths(value: unknown, prefix: Path = [], into: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      into.push([...prefix, index]);
      documentPaths(item, [...prefix, index], into);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      into.push([...prefix, key]);
      documentPaths((value as JsonObject)[key], [...prefix, key], into);
    }
  }
  return into;
}

/** How one field of a valid document is damaged. */
export type Mutation = { op: 'delete' } | { op: 'replace'; value: unknown; family: 'unreadable' | 'absent' | 'plausible' } | { op: 'wrapInArray' } | { op: 'wrapInObject' };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ op: 'delete' }),
  fc.constantFrom(...UNREADABLE_VALUES).map((value): Mutation => ({ op: 'replace', value, family: 'unreadable' })),
  fc.string({ maxLength: 6 }).filter((value) => !/^[0-9a-fA-F]*$/.test(value)).map((value): Mutation => ({ op: 'replace', value, family: 'unreadable' })),
  fc.constantFrom(...ABSENT_VALUES).map((value): Mutation => ({ op: 'replace', value, family: 'absent' })),
  // Numbers and digit strings are real times and (short) ids, however large; a reader may take them as such.
  fc.oneof(fc.nat(), fc.nat().map(String), fc.constantFrom(1.5, '0000000000000000', Number.MAX_SAFE_INTEGER, '9'.repeat(40))).map((value): Mutation => ({ op: 'replace', value, family: 'plausible' })),
  fc.constant<Mutation>({ op: 'wrapInArray' }),
  fc.constant<Mutation>({ op: 'wrapInObject' }),
);

/** A deep copy of arrays and plain objects (own keys kept as data, even `__proto__`). */
function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(deepCopy) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepCopy(item)])) as T;
  }
  return value;
}

/** A deep copy of `document` with `mutation` applied at `path`. */
export function mutate(document: JsonObject, path: Path, mutation: Mutation): JsonObject {
  const copy = deepCopy(document);
  let parent: unknown = copy;
  for (const step of path.slice(0, -1)) {
    parent = (parent as Record<string | number, unknown>)[step];
  }
  const container = parent as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (mutation.op === 'delete') {
    if (Array.isArray(container)) {
      container.splice(last as number, 1);
    } else {
      delete container[last];
    }
  } else if (mutation.op === 'replace') {
    container[last] = mutation.value;
  } else if (mutation.op === 'wrapInArray') {
    container[last] = [container[last]];
  } else {
    container[last] = { value: container[last] };
  }
  return copy;
}

/** The value at `path` in `document`. */
export const valueAt = (document: JsonObject, path: Path): unknown => path.reduce<unknown>((node, step) => (node as Record<string | number, unknown>)[step], document);

/**
 * Whether a mutation leaves a reader free to take what it stored as absent: a deletion, an
 * "absent" value, or an object or array replaced or moved one level down (the fields inside are
 * gone from where the producer puts them, as if deleted; a damaged leaf is damage, not absence).
 */
export const meansAbsent = (mutation: Mutation, original: unknown) => mutation.op === 'delete' || (mutation.op === 'replace' && mutation.family === 'absent') || (original !== null && typeof original === 'object');

/** Paths to the scalar values of a document (no objects or arrays). */
export const leafPaths = (document: JsonObject): Path[] => documentPaths(document).filter((path) => {
  const value = valueAt(document, path);
  return value === null || typeof value !== 'object';
});

/** One to six of a document's scalar values replaced by values no reader may take for what was stored. */
export const unreadableLeavesArb = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...UNREADABLE_VALUES)), { minLength: 1, maxLength: 6 });

/**
 * `document` with values replaced one after the other, each at the path `choice` picks among
 * `candidates` of the document as it is by then; also the replacements made, for messages.
 */
export function replaceValues(document: JsonObject, replacements: Array<[number, unknown]>, candidates: (document: JsonObject) => Path[] = leafPaths): { document: JsonObject; paths: string[]; replaced: Array<{ path: Path; mutation: Mutation; original: unknown }> } {
  let damaged = document;
  const paths: string[] = [];
  const replaced: Array<{ path: Path; mutation: Mutation; original: unknown }> = [];
  for (const [choice, value] of replacements) {
    const choices = candidates(damaged);
    if (choices.length === 0) {
      break;
    }
    const path = choices[choice % choices.length];
    const mutation: Mutation = { op: 'replace', value, family: 'unreadable' };
    replaced.push({ path, mutation, original: valueAt(damaged, path) });
    damaged = mutate(damaged, path, mutation);
    paths.push(`${path.join('.')}=${JSON.stringify(value)}`);
  }
  return { document: damaged, paths, replaced };
}

// ---- stored lists: events and links ---------------------------------------------------------

/**
 * Where a schema keeps a list, or one element of one, in a form other than a JSON array (otel-raw:
 * links as JSON text in `Link`, each event as keys marked by `Events.<name>.time`).
 */
export interface ListForms {
  whole(path: Path): boolean;
  element(path: Path): boolean;
}

/**
 * How many stored events (or links) a mutation at `path` may take away without the reader saying
 * so: all of them when a list is deleted, emptied or replaced by an absent value, or when an object
 * holding lists is changed (they are gone from where the producer puts them, as if deleted); one
 * when one element is deleted; none otherwise. A damaged element, or a list that is there but no
 * list, must be read or reported: reading fewer then is a silent wrong answer.
 */
export function elementsAllowedToGo(mutation: Mutation, path: Path, original: unknown, forms?: ListForms): number {
  const removed = mutation.op === 'delete' || (mutation.op === 'replace' && (mutation.family === 'absent' || (Array.isArray(mutation.value) && mutation.value.length === 0)));
  if (forms?.element(path)) {
    return removed ? 1 : 0;
  }
  if (forms?.whole(path)) {
    return removed ? Infinity : 0;
  }
  if (typeof path[path.length - 1] === 'number') {
    return mutation.op === 'delete' ? 1 : 0;
  }
  // Below an element of a list, a change damages that element (or nothing): it must be said.
  if (path.some((step) => typeof step === 'number')) {
    return 0;
  }
  if (Array.isArray(original)) {
    return removed ? Infinity : 0;
  }
  return original !== null && typeof original === 'object' ? Infinity : 0;
}

/** The warnings that say a reader left stored events or links out (links travel as Jaeger references). */
const LEFT_OUT: Record<'events' | 'links', RegExp> = {
  events: /^(\d+ of \d+ stored events |the stored events )/,
  links: /^(\d+ of \d+ stored (links|references) |the stored (links|references) )/,
};

/**
 * Where `span` has fewer events or links than `baseline` (the same document undamaged) by more
 * than `allowed` and no warning says some were left out, a sentence saying so; else undefined.
 */
export function listsShortenedSilently(span: LogicalSpan, baseline: LogicalSpan, allowed: number): string | undefined {
  for (const list of ['events', 'links'] as const) {
    const lost = baseline[list].length - span[list].length;
    if (lost > allowed && !span.source.warnings.some((warning) => LEFT_OUT[list].test(warning))) {
      return `${lost} of ${baseline[list].length} ${list} left out without a warning saying so`;
    }
  }
  return undefined;
}

// ---- what a read span must be ---------------------------------------------------------------

const TRACE_ID = /^[0-9a-f]{1,16}$|^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{1,16}$/;
/**
 * Exact non-negative nanoseconds. No upper bound: a Jaeger or Zipkin `long` of microseconds may
 * exceed 2^63 nanoseconds, and BigInt keeps whatever was stored.
 */
const isNanos = (value: unknown) => typeof value === 'bigint' && value >= BigInt(0);

function isAttributeValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return true;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value);
  }
  if (Array.isArray(value)) {
    return value.every(isAttributeValue);
  }
  return typeof value === 'object' && isAttributes(value);
}

function isAttributes(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isAttributeValue);
}

/**
 * What is wrong with a span a reader produced from `hit`, as sentences; empty when it is a
 * well-formed logical span (storage-schemas.md §9). `spanIdSuffix` allows Zipkin's display ids.
 */
export function spanProblems(span: LogicalSpan, hit: StoredHit, spanIdSuffix?: string): string[] {
  const problems: string[] = [];
  const bare = (id: string) => (spanIdSuffix && id.endsWith(spanIdSuffix) ? id.slice(0, -spanIdSuffix.length) : id);
  if (!TRACE_ID.test(span.traceId)) {
    problems.push(`trace id ${JSON.stringify(span.traceId)}`);
  }
  if (!SPAN_ID.test(bare(span.spanId))) {
    problems.push(`span id ${JSON.stringify(span.spanId)}`);
  }
  if (span.parentSpanId !== undefined && !SPAN_ID.test(span.parentSpanId)) {
    problems.push(`parent span id ${JSON.stringify(span.parentSpanId)}`);
  }
  if (!isNanos(span.startTimeUnixNano)) {
    problems.push(`start ${String(span.startTimeUnixNano)}`);
  }
  if (span.durationNano !== undefined && !isNanos(span.durationNano)) {
    problems.push(`duration ${String(span.durationNano)}`);
  }
  if (!SPAN_KINDS.includes(span.kind)) {
    problems.push(`kind ${JSON.stringify(span.kind)}`);
  }
  if (![0, 1, 2].includes(span.statusCode)) {
    problems.push(`status code ${JSON.stringify(span.statusCode)}`);
  }
  if (typeof span.name !== 'string' || typeof span.serviceName !== 'string' || span.serviceName === '') {
    problems.push('name or service name');
  }
  if (span.statusMessage !== undefined && typeof span.statusMessage !== 'string') {
    problems.push('status message');
  }
  if (!isAttributes(span.attributes) || !isAttributes(span.resourceAttributes)) {
    problems.push('attributes');
  }
  for (const event of span.events) {
    if (!isNanos(event.timeUnixNano) || typeof event.name !== 'string' || !isAttributes(event.attributes)) {
      problems.push(`event ${JSON.stringify(event.name)}`);
    }
  }
  for (const link of span.links) {
    if (!TRACE_ID.test(link.traceId) || !SPAN_ID.test(link.spanId) || !isAttributes(link.attributes)) {
      problems.push(`link ${link.traceId}/${link.spanId}`);
    }
  }
  if (span.source.index !== hit._index || span.source.id !== hit._id || !Array.isArray(span.source.warnings)) {
    problems.push('provenance');
  }
  return problems;
}

/** What is wrong with a log record a reader produced, as sentences; empty when well-formed. */
export function logProblems(record: LogicalLogRecord): string[] {
  const problems: string[] = [];
  if (!isNanos(record.timeUnixNano)) {
    problems.push(`time ${String(record.timeUnixNano)}`);
  }
  if (record.observedTimeUnixNano !== undefined && !isNanos(record.observedTimeUnixNano)) {
    problems.push(`observed time ${String(record.observedTimeUnixNano)}`);
  }
  if (record.traceId !== undefined && !TRACE_ID.test(record.traceId)) {
    problems.push(`trace id ${JSON.stringify(record.traceId)}`);
  }
  if (record.spanId !== undefined && !SPAN_ID.test(record.spanId)) {
    problems.push(`span id ${JSON.stringify(record.spanId)}`);
  }
  if (record.severityNumber !== undefined && !Number.isFinite(record.severityNumber)) {
    problems.push(`severity number ${record.severityNumber}`);
  }
  if (record.body !== undefined && !isAttributeValue(record.body)) {
    problems.push('body');
  }
  if (!isAttributes(record.attributes) || !isAttributes(record.resourceAttributes)) {
    problems.push('attributes');
  }
  return problems;
}

/** Whether the answer names the document behind `hit` in a warning (a skipped document). */
export const namesDocument = (result: Pick<ReadResult, 'warnings'>, hit: StoredHit) => result.warnings.some((warning) => warning.includes(`${hit._index}/${hit._id}`));

/** Cases run per property, gathered per file and printed as one line when the file ends. */
export class CaseCounter {
  private readonly counts = new Map<string, number>();

  add(property: string, cases: number): number {
    this.counts.set(property, (this.counts.get(property) ?? 0) + cases);
    return cases;
  }

  summary(title: string): string {
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    return `${title}: ${total} generated cases over ${this.counts.size} properties (seed ${SEED})`;
  }
}
