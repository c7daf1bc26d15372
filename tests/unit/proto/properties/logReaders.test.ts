/**
 * Properties of every log reader (src/proto/logDetect.ts's LOG_SCHEMAS): a document is read into a
 * well-formed log record or reported by name; a damaged one never gets another time or another
 * id; a record a schema's writer stores reads back with its time, ids, body and severity.
 */
import fc from 'fast-check';
import { LOG_SCHEMAS } from '../../../../src/proto/logDetect';
import type { LogSchema } from '../../../../src/proto/logSchema';
import type { LogicalLogRecord } from '../../../../src/proto/model';
import type { JsonObject, StoredHit } from '../../../../src/proto/schema';
import { ABSENT_VALUES, CaseCounter, documentPaths, logProblems, logRecordArb, type Mutation, mutate, mutationArb, replaceValues, runs, UNREADABLE_VALUES, unreadableLeavesArb } from './generators';

const ARBITRARY_RUNS = 250;
const MUTATED_RUNS = 300;
const LEAVES_RUNS = 250;
const ROUND_TRIP_RUNS = 100;
const counter = new CaseCounter();
const INDEX = 'logs';

const NS_PER_US = BigInt(1000);
const NS_PER_MS = BigInt(1_000_000);

/** The finest time each producer stores for a log record (the rest of the record is exact where kept). */
const TIME_UNIT: Record<string, bigint> = { bklog: NS_PER_US, 'bklog-log': NS_PER_MS, 'elastic-apm': NS_PER_US };

/** Fields a producer does not keep for logs. */
const NOT_STORED: Record<string, Array<keyof LogicalLogRecord>> = {
  'elastic-apm': ['severityNumber'],
  'bklog-log': ['severityText', 'severityNumber'],
};

const asHit = (document: JsonObject, id = 'log-1'): StoredHit => ({ _index: INDEX, _id: id, _source: document });

/** One document read: no exception, and a well-formed record or a message naming the document. */
function readOne(schema: LogSchema, hit: StoredHit): LogicalLogRecord | undefined {
  const read = schema.readHit(hit);
  if (typeof read === 'string') {
    if (!read.includes(`${hit._index}/${hit._id}`)) {
      throw new Error(`the skip message does not name the document: ${read}`);
    }
    return undefined;
  }
  const problems = logProblems(read);
  if (problems.length > 0) {
    throw new Error(`read into a malformed log record: ${problems.join(', ')}`);
  }
  return read;
}

/**
 * A damaged record read anyway keeps its time (or gives way to the observed time, as OTLP says, or
 * to a coarser copy of itself) and may lose its ids (logs outside spans have none), never change them.
 */
function checkKept(read: LogicalLogRecord, baseline: LogicalLogRecord, where: string): void {
  const sameMillisecond = read.timeUnixNano / NS_PER_MS === baseline.timeUnixNano / NS_PER_MS;
  if (read.timeUnixNano !== baseline.timeUnixNano && read.timeUnixNano !== baseline.observedTimeUnixNano && !sameMillisecond) {
    throw new Error(`time read as ${read.timeUnixNano} instead of ${baseline.timeUnixNano} ${where}`);
  }
  for (const field of ['traceId', 'spanId'] as const) {
    if (read[field] !== undefined && read[field] !== baseline[field]) {
      throw new Error(`${field} read as ${read[field]} instead of ${baseline[field]} ${where}`);
    }
  }
}

const logDocument = (schema: LogSchema, record: LogicalLogRecord): JsonObject => schema.writeLogs([record], INDEX)[0].document;

const garbageValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...UNREADABLE_VALUES, ...ABSENT_VALUES));

describe.each(LOG_SCHEMAS.map((schema) => [schema.name, schema] as const))('log reader %s', (name, schema) => {
  const sample = fc.sample(logRecordArb, { seed: 1, numRuns: 1 })[0];
  const vocabulary = [...new Set(documentPaths(logDocument(schema, { ...sample, observedTimeUnixNano: sample.timeUnixNano })).map((path) => path.filter((step) => typeof step === 'string').join('.')))].filter((key) => key !== '');
  const unit = TIME_UNIT[name] ?? BigInt(1);

  it(`${ARBITRARY_RUNS} arbitrary documents (the schema's field names with any values, and random keys) are read into well-formed records or refused by name`, () => {
    const documentArb = fc.dictionary(fc.oneof(fc.constantFrom(...vocabulary), fc.string({ maxLength: 10 })), garbageValue, { maxKeys: 10 });
    fc.assert(
      fc.property(documentArb, (document) => {
        readOne(schema, asHit(document));
      }),
      runs(counter.add(`${name} arbitrary`, ARBITRARY_RUNS)),
    );
  });

  it(`${MUTATED_RUNS} valid documents with one field deleted, retyped or wrongly nested keep their time and ids, or are refused by name`, () => {
    fc.assert(
      fc.property(logRecordArb, fc.boolean(), fc.nat(), mutationArb, (record, withObserved, choice, mutation: Mutation) => {
        const source = withObserved ? { ...record, observedTimeUnixNano: record.timeUnixNano + BigInt(5000) } : record;
        const document = logDocument(schema, source);
        const baseline = readOne(schema, asHit(document));
        if (!baseline) {
          throw new Error('the valid document was not read');
        }
        const paths = documentPaths(document);
        const path = paths[choice % paths.length];
        const read = readOne(schema, asHit(mutate(document, path, mutation)));
        if (!read || (mutation.op === 'replace' && mutation.family === 'plausible')) {
          return;
        }
        checkKept(read, baseline, `after ${JSON.stringify(mutation)} at ${path.join('.')}`);
      }),
      runs(counter.add(`${name} mutated`, MUTATED_RUNS)),
    );
  });

  it(`${LEAVES_RUNS} valid documents with one to six values replaced by unreadable ones keep their time and ids, or are refused by name`, () => {
    fc.assert(
      fc.property(logRecordArb, unreadableLeavesArb, (record, replacements) => {
        const document = logDocument(schema, record);
        const baseline = readOne(schema, asHit(document))!;
        const damaged = replaceValues(document, replacements);
        const read = readOne(schema, asHit(damaged.document));
        if (read) {
          checkKept(read, baseline, `after ${damaged.paths.join(', ')}`);
        }
      }),
      runs(counter.add(`${name} unreadable values`, LEAVES_RUNS)),
    );
  });

  it(`${ROUND_TRIP_RUNS} generated records written by the schema's writer read back with their time, ids, body, severity and service`, () => {
    fc.assert(
      fc.property(logRecordArb, (record) => {
        const written = schema.writeLogs([record], INDEX);
        expect(written).toHaveLength(1);
        const read = schema.readHit(asHit(written[0].document));
        if (typeof read === 'string') {
          throw new Error(read);
        }
        const kept = (field: keyof LogicalLogRecord) => !(NOT_STORED[name] ?? []).includes(field);
        expect({
          timeUnixNano: read.timeUnixNano,
          traceId: read.traceId,
          spanId: read.spanId,
          body: read.body,
          severityText: read.severityText,
          severityNumber: read.severityNumber,
          service: read.resourceAttributes['service.name'],
        }).toEqual({
          timeUnixNano: record.timeUnixNano - (record.timeUnixNano % unit),
          traceId: record.traceId,
          spanId: record.spanId,
          body: record.body,
          severityText: kept('severityText') ? record.severityText : undefined,
          severityNumber: kept('severityNumber') ? record.severityNumber : undefined,
          service: record.resourceAttributes['service.name'],
        });
      }),
      runs(counter.add(`${name} round trip`, ROUND_TRIP_RUNS)),
    );
  });
});

afterAll(() => {
  process.stdout.write(`${counter.summary('log reader properties')}\n`);
});
