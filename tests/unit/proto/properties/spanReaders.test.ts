/**
 * Properties of every span reader: a document is either read into a well-formed logical span or
 * reported by name, never read into a silently wrong one; and a span a schema's writer stores
 * reads back as itself, within what the schema can hold. Every property runs from one fixed seed;
 * its count of cases is in its title, and the file ends with one line summing them.
 */
import fc from 'fast-check';
import type { LogicalSpan } from '../../../../src/proto/model';
import type { JsonObject, ReadResult, StoredHit } from '../../../../src/proto/schema';
import { ABSENT_VALUES, CaseCounter, documentPaths, elementsAllowedToGo, listsShortenedSilently, logicalSpanArb, meansAbsent, type Mutation, mutate, mutationArb, namesDocument, replaceValues, runs, spanProblems, UNREADABLE_VALUES, unreadableLeavesArb, valueAt } from './generators';
import { INDEX, SPAN_SUBJECTS, type SpanSubject } from './spanSubjects';

const ARBITRARY_RUNS = 200;
const MUTATED_RUNS = 300;
const LEAVES_RUNS = 250;
const ROUND_TRIP_RUNS = 150;
const counter = new CaseCounter();

const asHit = (document: JsonObject, id = 'doc-1'): StoredHit => ({ _index: INDEX, _id: id, _source: document });

/** The one span document a writer stores for a span (event documents aside). */
const spanDocument = (subject: SpanSubject, span: LogicalSpan): JsonObject => subject.write([span])[0].document;

/**
 * One document read alone: no exception escapes, and either exactly one well-formed span comes
 * back or the answer names the document in a warning. Returns the span, if any.
 */
function readOne(subject: SpanSubject, hit: StoredHit): { span?: LogicalSpan; result: ReadResult } {
  const result = subject.readHits([hit]);
  // Plain checks rather than expect(): this runs thousands of times.
  const fail = (problem: string) => {
    throw new Error(`${problem}; warnings: ${JSON.stringify(result.warnings)}`);
  };
  // readEachHit turns a reader's exception into a skip; a reader must not need that net.
  if (result.warnings.some((warning) => warning.includes('could not be read ('))) {
    fail('the reader threw');
  }
  if (result.spans.length > 1) {
    fail(`one document read as ${result.spans.length} spans`);
  }
  const [span] = result.spans;
  const problems = span ? spanProblems(span, hit, subject.spanIdSuffix) : [];
  if (problems.length > 0) {
    fail(`read into a malformed span: ${problems.join(', ')}`);
  }
  if (!span && !namesDocument(result, hit)) {
    fail('neither read nor named in a warning');
  }
  return { span, result };
}

/** Keys a schema's own documents use, at the top level and below, so arbitrary documents hit them. */
const vocabularyOf = (subject: SpanSubject, sample: LogicalSpan): string[] => [...new Set(documentPaths(spanDocument(subject, sample)).map((path) => path.filter((step) => typeof step === 'string').join('.')))].filter((key) => key !== '');

/** `_source` is parsed JSON: any JSON value, and the values readers must refuse. */
const garbageValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...UNREADABLE_VALUES, ...ABSENT_VALUES));

const sameMicrosecond = (a?: bigint, b?: bigint) => a !== undefined && b !== undefined && a / BigInt(1000) === b / BigInt(1000);

const CORE_FIELDS = ['traceId', 'spanId', 'parentSpanId', 'startTimeUnixNano', 'durationNano'] as const;

describe.each(SPAN_SUBJECTS.map((subject) => [subject.name, subject] as const))('span reader %s', (name, subject) => {
  const sample = fc.sample(logicalSpanArb, { seed: 1, numRuns: 1 })[0];
  const vocabulary = vocabularyOf(subject, { ...sample, parentSpanId: sample.parentSpanId ?? 'aaaaaaaaaaaaaaaa' });

  it(`${ARBITRARY_RUNS} arbitrary documents (the schema's field names with any values, and random keys) are read into well-formed spans or skipped by name`, () => {
    const documentArb = fc.dictionary(fc.oneof(fc.constantFrom(...vocabulary), fc.string({ maxLength: 10 })), garbageValue, { maxKeys: 12 });
    fc.assert(
      fc.property(documentArb, (document) => {
        readOne(subject, asHit(document));
      }),
      runs(counter.add(`${name} arbitrary`, ARBITRARY_RUNS)),
    );
  });

  it(`${ARBITRARY_RUNS} valid documents with several fields replaced by arbitrary values are read into well-formed spans or skipped by name`, () => {
    const damagedArb = fc.tuple(logicalSpanArb, fc.array(fc.tuple(fc.nat(), garbageValue), { minLength: 1, maxLength: 5 })).map(([span, replacements]) => replaceValues(spanDocument(subject, span), replacements, documentPaths).document);
    fc.assert(
      fc.property(damagedArb, (document) => {
        readOne(subject, asHit(document));
      }),
      runs(counter.add(`${name} damaged`, ARBITRARY_RUNS)),
    );
  });

  it(`${MUTATED_RUNS} valid documents with one field deleted, retyped or wrongly nested keep their ids, times, events and links, or say they could not`, () => {
    fc.assert(
      fc.property(logicalSpanArb, fc.nat(), mutationArb, (source, choice, mutation: Mutation) => {
        const document = spanDocument(subject, source);
        const baseline = readOne(subject, asHit(document)).span;
        if (!baseline) {
          throw new Error('the valid document was not read');
        }
        const paths = documentPaths(document);
        const path = paths[choice % paths.length];
        const { span } = readOne(subject, asHit(mutate(document, path, mutation)));
        if (!span || (mutation.op === 'replace' && mutation.family === 'plausible')) {
          return;
        }
        const shortened = listsShortenedSilently(span, baseline, elementsAllowedToGo(mutation, path, valueAt(document, path), subject.listForms));
        if (shortened) {
          throw new Error(`${shortened}, after ${JSON.stringify(mutation)} at ${path.join('.')}`);
        }
        const warned = span.source.warnings.length > baseline.source.warnings.length;
        for (const field of CORE_FIELDS) {
          if (span[field] === baseline[field] || warned) {
            continue;
          }
          // A deleted or emptied parent makes a root: that is what "absent" means for a parent.
          const absent = meansAbsent(mutation, valueAt(document, path));
          const root = field === 'parentSpanId' && span.parentSpanId === undefined && absent;
          // With the exact end unreadable, a stored microsecond duration is the same fact, coarser (otel-raw).
          const coarser = field === 'durationNano' && sameMicrosecond(span.durationNano, baseline.durationNano);
          const allowed = root || coarser;
          if (!allowed) {
            throw new Error(`${field} read as ${String(span[field])} instead of ${String(baseline[field])}, without a warning, after ${JSON.stringify(mutation)} at ${path.join('.')}`);
          }
        }
      }),
      runs(counter.add(`${name} mutated`, MUTATED_RUNS)),
    );
  });

  it(`${LEAVES_RUNS} valid documents with one to six values replaced by unreadable ones keep their ids, times, events and links, or say they could not`, () => {
    fc.assert(
      fc.property(logicalSpanArb, unreadableLeavesArb, (source, replacements) => {
        const document = spanDocument(subject, source);
        const baseline = readOne(subject, asHit(document)).span!;
        const damaged = replaceValues(document, replacements);
        const { span } = readOne(subject, asHit(damaged.document));
        if (!span) {
          return;
        }
        const allowed = damaged.replaced.reduce((sum, { path, mutation, original }) => sum + elementsAllowedToGo(mutation, path, original, subject.listForms), 0);
        const shortened = listsShortenedSilently(span, baseline, allowed);
        if (shortened) {
          throw new Error(`${shortened}, after ${damaged.paths.join(', ')}`);
        }
        if (span.source.warnings.length > baseline.source.warnings.length) {
          return;
        }
        for (const field of CORE_FIELDS) {
          if (span[field] !== baseline[field] && !(field === 'durationNano' && sameMicrosecond(span.durationNano, baseline.durationNano))) {
            throw new Error(`${field} read as ${String(span[field])} instead of ${String(baseline[field])}, without a warning, after ${damaged.paths.join(', ')}`);
          }
        }
      }),
      runs(counter.add(`${name} unreadable values`, LEAVES_RUNS)),
    );
  });

  it(`${ROUND_TRIP_RUNS} generated spans written by the schema's writer read back as the same span, within what the schema holds`, () => {
    fc.assert(
      fc.property(logicalSpanArb, (source) => {
        const hits = subject.write([source]).map((written, i) => ({ _index: written.index, _id: `doc-${i}`, _source: written.document }));
        const { spans, warnings } = subject.readHits(hits);
        subject.finishTrace?.(spans);
        expect(warnings).toEqual([]);
        const expected = subject.project({ ...source, source: { ...source.source, warnings: [] } });
        expect(spans).toHaveLength(1);
        const { source: provenance, ...read } = spans[0];
        const { source: expectedProvenance, ...wanted } = expected;
        expect(read).toEqual(wanted);
        expect(provenance).toEqual({ schema: name.replace(/ \(.*\)$/, ''), index: INDEX, id: 'doc-0', warnings: expectedProvenance.warnings });
      }),
      runs(counter.add(`${name} round trip`, ROUND_TRIP_RUNS)),
    );
  });
});

afterAll(() => {
  process.stdout.write(`${counter.summary('span reader properties')}\n`);
});
