import { generateDemoTraces } from '../../../src/cli/sdkData';
import { otelSchema } from '../../../src/proto/otel';
import { spansFromOtlp } from '../../../src/proto/otlp';
import { SPAN_SCHEMAS } from '../../../src/proto/registry';
import { bulkBody, identifiedSpanDocuments, logDocumentId, spanDocumentId } from '../../../src/query/ingest';
import { referenceSpan } from '../referenceSpan';

const spans = spansFromOtlp(generateDemoTraces({ traces: 3, seed: 11, baseTimeMs: Date.UTC(2026, 0, 2) }).request);

describe('document ids', () => {
  it('names a span document by trace id, span id and start', () => {
    expect(spanDocumentId(referenceSpan, 0)).toBe(`${referenceSpan.traceId}-${referenceSpan.spanId}-${referenceSpan.startTimeUnixNano}`);
    expect(spanDocumentId(referenceSpan, 2)).toBe(`${referenceSpan.traceId}-${referenceSpan.spanId}-${referenceSpan.startTimeUnixNano}-2`);
  });

  it.each(SPAN_SCHEMAS.map((schema) => [schema.name, schema] as const))('%s: every document of a batch has its own id, the same on every run', (_name, schema) => {
    const first = identifiedSpanDocuments(schema, spans, 'traces');
    const again = identifiedSpanDocuments(schema, spans.map((span) => ({ ...span })), 'traces');
    expect(first.length).toBe(schema.writeSpans(spans, 'traces').length);
    expect(new Set(first.map((document) => `${document.index}/${document.id}`)).size).toBe(first.length);
    expect(again.map((document) => document.id)).toEqual(first.map((document) => document.id));
  });

  it('otel: a span and its event documents (kept apart in NAME-logs) are numbered in the order written', () => {
    const withEvents = spans.find((span) => span.events.length > 0)!;
    const documents = identifiedSpanDocuments(otelSchema, [withEvents], 'traces');
    expect(documents.map((document) => [document.index, document.id])).toEqual([
      ['traces', spanDocumentId(withEvents, 0)],
      ...withEvents.events.map((_, i) => ['traces-logs', spanDocumentId(withEvents, i + 1)]),
    ]);
  });

  it('names a log record by its content and place: equal records at two places differ, a changed record differs', () => {
    const record = { timeUnixNano: BigInt(7), body: 'paid', attributes: {}, resourceAttributes: { 'service.name': 'cart' } };
    expect(logDocumentId(record, 'a')).toBe(logDocumentId({ ...record }, 'a'));
    expect(logDocumentId(record, 'a')).toMatch(/^log-[0-9a-f]{32}$/);
    expect(logDocumentId(record, 'b')).not.toBe(logDocumentId(record, 'a'));
    expect(logDocumentId({ ...record, body: 'paid.' }, 'a')).not.toBe(logDocumentId(record, 'a'));
  });
});

describe('bulkBody', () => {
  const documents = [{ index: 'traces', id: 'x-1', document: { a: 1 } }];

  it('creates each document under its id, never overwriting one already stored', () => {
    expect(bulkBody(documents)).toBe('{"create":{"_index":"traces","_id":"x-1"}}\n{"a":1}\n');
  });

  it('leaves ids to the engine when asked, as an exporter retry writes copies', () => {
    expect(bulkBody(documents, true)).toBe('{"create":{"_index":"traces"}}\n{"a":1}\n');
  });
});
