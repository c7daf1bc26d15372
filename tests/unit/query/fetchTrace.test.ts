import type { SearchHit, SearchResponse } from '../../../src/engine/client';
import { resolveSchemas } from '../../../src/proto/detect';
import { spanToOtelDocument } from '../../../src/proto/otel';
import type { JsonObject } from '../../../src/proto/schema';
import { fetchTrace, type TraceSearcher } from '../../../src/query/fetchTrace';
import { referenceSpan } from '../referenceSpan';

/**
 * Paging through one trace sorts on (start in ms, span id), which need not be unique: the pager
 * must neither skip nor repeat documents whose keys tie across a page boundary. The engine here is
 * a model of search_after (documents strictly after the given sort values, in sort order), so
 * every boundary can be placed exactly.
 */
const resolution = resolveSchemas('t*', {
  t: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: { type: 'keyword' }, span_id: { type: 'keyword' }, name: { type: 'keyword' }, kind: { type: 'keyword' }, duration: { type: 'long' } } } },
});
const group = resolution.groups[0];
const START_MS = 1715678467123;

interface Stored {
  id: string;
  source: JsonObject;
  sort: [number, string];
}

/** Documents with the given (start offset in ms, span id) keys, in an order unlike the sort's. */
function documents(keys: Array<[number, string]>): Stored[] {
  return keys
    .map(([offsetMs, spanId], i): Stored => {
      const startTimeUnixNano = BigInt(START_MS + offsetMs) * BigInt(1_000_000) + BigInt(i);
      const source = spanToOtelDocument({ ...referenceSpan, spanId, parentSpanId: undefined, events: [], startTimeUnixNano });
      return { id: `doc-${i}`, source, sort: [START_MS + offsetMs, spanId] };
    })
    .reverse();
}

function compareSort(a: [number, string], b: unknown[]): number {
  if (a[0] !== b[0]) {
    return a[0] < (b[0] as number) ? -1 : 1;
  }
  return a[1] < (b[1] as string) ? -1 : a[1] > (b[1] as string) ? 1 : 0;
}

/** Span documents answered as the engine would; event documents (the otel layout asks) are none. */
function modelEngine(stored: Stored[]): TraceSearcher & { requests: JsonObject[] } {
  const ordered = [...stored].sort((a, b) => compareSort(a.sort, b.sort) || (a.id < b.id ? -1 : 1));
  const requests: JsonObject[] = [];
  return {
    requests,
    async search(_indices: string, body: JsonObject): Promise<SearchResponse> {
      requests.push(body);
      const filter = ((body.query as JsonObject).bool as JsonObject).filter as JsonObject[];
      const wantsEvents = filter.some((clause) => 'exists' in clause);
      const after = body.search_after as unknown[] | undefined;
      const matching = wantsEvents ? [] : ordered.filter((doc) => after === undefined || compareSort(doc.sort, after) > 0);
      const hits: SearchHit[] = matching.slice(0, body.size as number).map((doc) => ({ _index: 't', _id: doc.id, _source: doc.source, sort: doc.sort }));
      return { hits: { total: { value: wantsEvents ? 0 : stored.length, relation: 'eq' }, hits } } as SearchResponse;
    },
  };
}

async function readDocumentIds(stored: Stored[], pageSize: number, maxSpans = 100_000) {
  const engine = modelEngine(stored);
  const read: string[] = [];
  const readHits = group.schema.readHits.bind(group.schema);
  const spy = jest.spyOn(group.schema, 'readHits').mockImplementation((hits) => {
    read.push(...hits.map((hit) => hit._id));
    return readHits(hits);
  });
  try {
    const fetched = await fetchTrace(engine, { traceId: referenceSpan.traceId, resolution, maxSpans, pageSize });
    return { read, fetched, requests: engine.requests };
  } finally {
    spy.mockRestore();
  }
}

const allIds = (stored: Stored[]) => stored.map((doc) => doc.id).sort();
/** A span id as producers write it: 16 hex digits, never all zeros. */
const spanId = (n: number) => (n + 1).toString(16).padStart(16, '0');

describe('fetchTrace paging', () => {
  it('never sorts on _id, whose fielddata Elasticsearch 8 refuses', async () => {
    const { requests } = await readDocumentIds(documents([[0, 'a'], [1, 'b'], [2, 'c']]), 2);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      expect((request.sort as JsonObject[]).flatMap((key) => Object.keys(key))).toEqual(['@timestamp', 'span_id']);
    }
  });

  it('reads every document once when runs of equal keys straddle page boundaries', async () => {
    // Runs of 1, 2 and 3 equal (start, span id) keys: with 4 per page, boundaries fall inside runs.
    const keys: Array<[number, string]> = [];
    for (let i = 0; i < 12; i++) {
      for (let copy = 0; copy <= i % 3; copy++) {
        keys.push([i, spanId(i)]);
      }
    }
    const stored = documents(keys);
    const { read, fetched } = await readDocumentIds(stored, 4);
    expect([...read].sort()).toEqual(allIds(stored));
    expect(fetched.truncated).toBe(false);
    expect(fetched.spanDocuments).toBe(stored.length);
    expect(fetched.trace.spans).toHaveLength(12);
  });

  it('asks again with a larger page when one run fills a whole page', async () => {
    const stored = documents([[0, spanId(1)], ...Array.from({ length: 9 }, (): [number, string] => [1, spanId(2)]), [2, spanId(3)]]);
    const { read, fetched, requests } = await readDocumentIds(stored, 4);
    expect([...read].sort()).toEqual(allIds(stored));
    expect(fetched.warnings.filter((w) => w.includes('share the sort keys'))).toEqual([]);
    expect(requests.map((request) => request.size)).toContain(16);
  });

  it('reads a run as large as the engine window allows and names what it skipped beyond it', async () => {
    const stored = documents([...Array.from({ length: 10_002 }, (): [number, string] => [0, spanId(1)]), [1, spanId(2)]]);
    const { read, fetched } = await readDocumentIds(stored, 10_000);
    expect(read).toHaveLength(10_001);
    expect(read).toContain(stored.find((doc) => doc.sort[1] === spanId(2))!.id);
    expect(fetched.warnings).toContain(
      `more than 10000 span documents of the trace share the sort keys [${START_MS},"${spanId(1)}"] (start, span id); those beyond the first 10000 were skipped`
    );
  });

  it('stops at the span cap, truncating at the documents that start first', async () => {
    const stored = documents(Array.from({ length: 25 }, (_, i): [number, string] => [i, spanId(i)]));
    const { read, fetched } = await readDocumentIds(stored, 4, 10);
    expect(read).toHaveLength(10);
    expect(fetched.truncated).toBe(true);
    expect(fetched.trace.spans.map((span) => span.spanId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => spanId(i)));
  });
});
