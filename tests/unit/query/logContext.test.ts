import { resolveLogSchemas } from '../../../src/proto/logDetect';
import type { SearchResponse } from '../../../src/engine/client';
import { logContext } from '../../../src/query/logContext';

const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const resolution = resolveLogSchemas('app-logs', {
  'app-logs': { mappings: { properties: { '@timestamp': text, trace_id: text, span_id: text, severity_text: text, body: { properties: { text } }, resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } } } } },
});
const T_MS = 1715678467123;
const T_NS = BigInt(T_MS) * BigInt(1_000_000);
const hit = (id: string, ms: number) => ({ _index: 'app-logs', _id: id, _source: { '@timestamp': String(ms), severity_text: 'INFO', body: { text: `line ${id}` }, resource: { attributes: { 'service.name': 'checkout' } } }, sort: [ms, id] });

/** Answers every logs search with the given hits, newest first, as many as the request's size allows. */
function searcher(hits: Array<ReturnType<typeof hit>>) {
  return {
    async search(_indices: string, body: Record<string, unknown>): Promise<SearchResponse> {
      const page = hits.slice(0, body.size as number);
      return { took: 1, _shards: { total: 1, successful: 1, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, hits: page } };
    },
  };
}

const row = { timeUnixNano: T_NS, key: 'app-logs/r', service: 'checkout' };
// Lines of the row's millisecond whose keys sort before the row's are newer than it in the list, so not older context.
const sameInstant = Array.from({ length: 118 }, (_, i) => hit(`a${String(i).padStart(3, '0')}`, T_MS));
const older = [hit('b1', T_MS - 1), hit('b2', T_MS - 2)];

describe('log context beside a line many others share the millisecond of', () => {
  it('says fewer older lines are shown than asked for when the lines of its millisecond filled the search', async () => {
    const { lines, warnings } = await logContext(searcher([...sameInstant, ...older]), { resolution, row, scope: 'service', direction: 'backward', limit: 20 });
    expect(lines.map((line) => line.id)).toEqual(['b1', 'b2']);
    expect(warnings).toContain("only 2 of the 20 older lines asked for are shown: 118 lines of this line's millisecond came first, so more may exist; show the context of the trace, or search the logs around this time");
  });

  it('says nothing more when the search was not full: every older line there is, is shown', async () => {
    const { lines, warnings } = await logContext(searcher([...sameInstant.slice(0, 10), ...older]), { resolution, row, scope: 'service', direction: 'backward', limit: 20 });
    expect(lines.map((line) => line.id)).toEqual(['b1', 'b2']);
    expect(warnings).toEqual([]);
  });
});
