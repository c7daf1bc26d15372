import * as fs from 'fs';
import * as path from 'path';

import { resolveSchemas } from '../../../src/proto/detect';
import { buildTraceByIdRequest, type TraceByIdRequest } from '../../../src/query/traceById';

/**
 * Every request shape the builder produces is pinned as a JSON file whose name says what it shows,
 * so a reviewer reads the exact request sent to the engine.
 */
const GOLDEN = path.join(__dirname, '../../fixtures/requests');
const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
const dynamic = resolveSchemas('t*', { t: { mappings: { properties: { '@timestamp': text, trace_id: text, span_id: text, name: text, kind: text, duration: { type: 'long' } } } } }).groups[0];
const template = resolveSchemas('t*', {
  t: { mappings: { properties: { '@timestamp': { type: 'date_nanos' }, trace_id: { type: 'keyword' }, span_id: { type: 'keyword' }, name: { type: 'keyword' }, kind: { type: 'keyword' }, duration: { type: 'long' } } } },
}).groups[0];

const base = (group: typeof dynamic): TraceByIdRequest => ({ schema: group.schema, catalog: group.catalog, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', documents: 'spans', pageSize: 10_000 });
const window = { fromNs: BigInt('1715678400000000000'), toNs: BigInt('1715682000000000000') };

const cases: Record<string, TraceByIdRequest> = {
  a_dynamically_mapped_trace_id_is_matched_on_its_keyword_subfield_and_events_are_excluded: base(dynamic),
  span_events_kept_apart_are_fetched_by_the_event_name_field_existing: { ...base(dynamic), documents: 'events' },
  a_text_timestamp_is_range_filtered_on_its_keyword_as_13_digit_millisecond_strings: { ...base(dynamic), window },
  a_date_nanos_timestamp_is_range_filtered_in_epoch_millis_and_sorted_in_milliseconds: { ...base(template), window },
  later_pages_continue_after_the_last_start_and_span_id_without_counting_hits_again: { ...base(template), searchAfter: [1715678467123, '00f067aa0ba902b7'] },
  a_short_trace_id_is_searched_in_all_its_stored_forms: { ...base(template), traceId: 'a3ce929d0e0e4736' },
};

describe('buildTraceByIdRequest', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const built = buildTraceByIdRequest(cases[name]);
    const file = path.join(GOLDEN, `${name}.json`);
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.writeFileSync(file, `${JSON.stringify(built.body, null, 2)}\n`);
    }
    expect(built.body).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(built.warnings).toEqual([]);
  });

  it('warns when the mapping cannot filter by time and searches without the window', () => {
    const noTime = resolveSchemas('t*', { t: { mappings: { properties: { trace_id: { type: 'keyword' }, span_id: { type: 'keyword' }, name: { type: 'keyword' }, kind: { type: 'keyword' }, duration: { type: 'long' } } } } }).groups[0];
    const built = buildTraceByIdRequest({ ...base(noTime), window });
    expect(built.warnings).toEqual(["the mapping of '@timestamp' cannot be filtered by time, so the whole index was searched"]);
    expect(JSON.stringify(built.body)).not.toContain('range');
  });
});
