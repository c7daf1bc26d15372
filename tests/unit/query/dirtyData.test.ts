/**
 * What a search asks and says when documents are dirty or a range reaches beyond the usual times:
 * "ms.ns" text ranges cut where the digit count changes, groups that cannot be filtered by time
 * left out (never searched for all time), and the probe for documents no trace's time can hold.
 */
import { resolveSchemas } from '../../../src/proto/detect';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { otelTextRange, startRange } from '../../../src/proto/schemaSupport';
import { catalogFromMapping } from '../../../src/proto/fieldCatalog';
import { buildValuesRequest, findTagValues } from '../../../src/query/discovery';
import { parseSearchInput, searchTraces } from '../../../src/query/search';
import { buildUnplaceableRequest, unplaceableClauses, unplaceableWarning } from '../../../src/query/unplaceable';

const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const otelMapping = { properties: { '@timestamp': text, trace_id: text, span_id: text, name: text, duration: { type: 'long' }, resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } } } };
const otelDynamic = resolveSchemas('traces*', { traces: { mappings: otelMapping } }).groups[0];
const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-11-20': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
const NS_PER_MS = BigInt(1_000_000);
const ms = (value: number) => BigInt(value) * NS_PER_MS;

/** Whether a keyword value passes a range built by otelTextRange, evaluated as the engine would (code-point order). */
function passes(clause: Record<string, unknown>, value: string): boolean {
  if ('range' in clause) {
    const { gte, lt } = Object.values(clause.range as Record<string, { gte: string; lt: string }>)[0];
    return value >= gte && value < lt;
  }
  if ('regexp' in clause) {
    const pattern = Object.values(clause.regexp as Record<string, string>)[0];
    return new RegExp(`^(?:${pattern})$`).test(value);
  }
  const bool = clause.bool as { filter?: Array<Record<string, unknown>>; should?: Array<Record<string, unknown>>; must_not?: unknown[] };
  if (bool.must_not) {
    return false;
  }
  if (bool.filter) {
    return bool.filter.every((inner) => passes(inner, value));
  }
  return (bool.should ?? []).some((inner) => passes(inner, value));
}

describe('"ms.ns" text time ranges', () => {
  const stored = {
    epoch: '0.5',
    y1973: '100000000000.1',
    y1990: '631152000000.5',
    y2001: '1000000000000.0',
    y2026: '1796217222895.123851',
    y2286: '9999999999999.999999',
    y2287: '10000000000000.1',
  };

  it('keeps a 2001-2286 range to one keyword range, taking every fraction of its last millisecond', () => {
    expect(otelTextRange('t', 1796217222000, 1796217222895)).toEqual({ range: { t: { gte: '1796217222000', lt: '1796217222895/' } } });
    expect(passes(otelTextRange('t', 1796217222000, 1796217222895), stored.y2026)).toBe(true);
    expect(passes(otelTextRange('t', 1796217222000, 1796217222894), stored.y2026)).toBe(false);
  });

  it('matches only the 1990 text for a 1990 range, though 13-digit texts sort between its bounds', () => {
    const range = otelTextRange('t', 631152000000, 631238400000);
    expect(Object.entries(stored).filter(([, value]) => passes(range, value)).map(([name]) => name)).toEqual(['y1990']);
  });

  it('matches nothing of today for 0 to 1 ms, and everything from 1970 to 2287 for a range that wide', () => {
    expect(Object.entries(stored).filter(([, value]) => passes(otelTextRange('t', 0, 1), value)).map(([name]) => name)).toEqual(['epoch']);
    expect(Object.entries(stored).filter(([, value]) => passes(otelTextRange('t', 0, 10000000000001), value))).toHaveLength(Object.keys(stored).length);
  });

  it('finds the text beyond 2286 by its 14 digits and not the 13-digit texts that sort among them', () => {
    const range = otelTextRange('t', 10000000000000, 10000086400000);
    expect(Object.entries(stored).filter(([, value]) => passes(range, value)).map(([name]) => name)).toEqual(['y2287']);
  });

  it('matches nothing for a range wholly before 1970: the text has no sign', () => {
    expect(otelTextRange('t', -5000, -1)).toEqual({ bool: { must_not: [{ match_all: {} }] } });
  });

  it('answers undefined where the mapping holds the text without a keyword, so no caller can search it unfiltered', () => {
    const catalog = catalogFromMapping({ properties: { '@timestamp': { type: 'text' } } });
    expect(startRange(catalog, '@timestamp', 'otelMillisString', ms(0), ms(1))).toBeUndefined();
  });
});

describe('groups that cannot be filtered by time', () => {
  const noKeyword = resolveSchemas('traces*', { traces: { mappings: { properties: { ...otelMapping.properties, '@timestamp': { type: 'text' } } } } }).groups[0];
  const window = { fromNs: ms(1796217222000), toNs: ms(1796217322000) };

  it('are left out of a search with a time range, which then fails naming why, instead of searching all time', async () => {
    const searcher = { search: jest.fn() };
    await expect(searchTraces(searcher as never, { resolution: { pattern: 'traces*', groups: [noKeyword], unknown: [] }, window, request: parseSearchInput({}) })).rejects.toThrow(
      "nothing can be searched: traces: its start time '@timestamp' is not mapped as a date, a number or \"ms.ns\" text with a keyword, so it cannot be filtered by time"
    );
    expect(searcher.search).not.toHaveBeenCalled();
  });

  it('are skipped when attribute values are listed for a time range, said, with no request sent', async () => {
    const searcher = { search: jest.fn() };
    const found = await findTagValues(searcher as never, { resolution: { pattern: 'traces*', groups: [noKeyword], unknown: [] }, window, key: 'http.method' });
    expect(found).toEqual({ values: [], warnings: [expect.stringContaining("skipped traces: its start time '@timestamp' is not mapped as a date")] });
    expect(searcher.search).not.toHaveBeenCalled();
  });

  it('are skipped by discovery with a time range, said in its warnings', () => {
    const built = buildValuesRequest(noKeyword, 'serviceName', { resolution: { pattern: 'traces*', groups: [noKeyword], unknown: [] }, window });
    expect(built).toEqual({ skipped: expect.stringContaining("skipped traces: its start time '@timestamp' is not mapped as a date") });
  });
});

describe('documents no trace time can hold', () => {
  it('are asked for by unreadable "ms.ns" text (missing, empty or not starting with a digit), a missing or empty trace id, and negative durations', () => {
    expect(unplaceableClauses(otelDynamic)).toEqual({
      'no readable start time': {
        bool: {
          should: [{ bool: { must_not: [{ exists: { field: '@timestamp.keyword' } }] } }, { range: { '@timestamp.keyword': { lt: '0' } } }, { range: { '@timestamp.keyword': { gte: ':' } } }],
          minimum_should_match: 1,
        },
      },
      'no trace id': { bool: { should: [{ bool: { must_not: [{ exists: { field: 'trace_id.keyword' } }] } }, { term: { 'trace_id.keyword': '' } }], minimum_should_match: 1 } },
      'a negative duration': { bool: { should: [{ range: { duration: { lt: 0 } } }], minimum_should_match: 1 } },
    });
  });

  it('are asked for under the request\'s own filters, one request with a count per reason and three examples', () => {
    const filter = [{ term: { 'resource.attributes.service.name.keyword': 'checkout' } }];
    const request = buildUnplaceableRequest(jaeger, filter, []) as { size: number; query: { bool: { filter: unknown[] } }; aggs: { reasons: { filters: { filters: Record<string, unknown> } } } };
    expect(request.size).toBe(3);
    expect(request.query.bool.filter[0]).toEqual(filter[0]);
    expect(Object.keys(request.aggs.reasons.filters.filters)).toEqual(['no readable start time', 'no trace id', 'a negative duration']);
    expect(request.aggs.reasons.filters.filters['no readable start time']).toEqual({ bool: { must_not: [{ exists: { field: 'startTime' } }] } });
  });

  it('are named in a warning with counts per reason and the first documents; none, no warning', () => {
    const answer = {
      hits: { total: { value: 4, relation: 'eq' }, hits: [{ _index: 'spans', _id: 'a' }, { _index: 'spans', _id: 'b' }, { _index: 'spans', _id: 'c' }] },
      aggregations: { reasons: { buckets: { 'no readable start time': { doc_count: 2 }, 'no trace id': { doc_count: 1 }, 'a negative duration': { doc_count: 1 } } } },
    };
    expect(unplaceableWarning(answer)).toBe(
      "4 span documents could not be placed in any trace's time, so no time range, ranking or summary includes them (2 with no readable start time, 1 with no trace id, 1 with a negative duration; first: spans/a, spans/b, spans/c, ...)"
    );
    expect(unplaceableWarning({ hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: { reasons: { buckets: { 'no trace id': { doc_count: 0 } } } } })).toBeUndefined();
  });
});
