import fs from 'node:fs';
import path from 'node:path';
import { EngineError, engineErrorFromResponse } from '../../../src/engine/errors';
import { resolveSchemas } from '../../../src/proto/detect';
import { otelDynamicGroup } from './otelDynamic';
import { DATA_PREPPER_SPAN_MAPPING } from '../../../src/proto/dataPrepper';
import { JAEGER_SPAN_MAPPING } from '../../../src/proto/jaeger';
import { boundsPlan, buildBoundsByIdRequest, buildLongestSpansRequest, buildOutsideWindowProbe, buildWindowBoundsRequest, floorFromLongestSpans, selectorRefused } from '../../../src/query/traceBounds';

const GOLDEN = path.join(__dirname, '../../fixtures/requests');
const jaeger = resolveSchemas('jaeger-span-*', { 'jaeger-span-2026-01-01': { mappings: JAEGER_SPAN_MAPPING } }).groups[0];
const otelDynamic = otelDynamicGroup();
const dataPrepper = resolveSchemas('otel-v1-apm-span*', { 'otel-v1-apm-span-000001': { mappings: DATA_PREPPER_SPAN_MAPPING } }).groups[0];

const fromNs = BigInt('1767225600000000000');
const toNs = BigInt('1767229200000000000');
const scope = (group: typeof jaeger, traceField: string, mustNot: Array<Record<string, unknown>> = []) => {
  const range = group.schema.timeRange(group.catalog, fromNs, toNs)!;
  return { group, traceField, filter: [range], mustNot, range };
};
const jaegerWindow = scope(jaeger, 'traceID');
const otelWindow = scope(otelDynamic, 'trace_id.keyword', [{ exists: { field: 'event_name' } }]);
const jaegerPlan = boundsPlan(jaeger)!;

const cases: Record<string, () => unknown> = {
  the_slowest_traces_of_a_window_are_bounded_in_one_pass_from_first_and_last_start_and_longest_span_without_a_script: () => buildWindowBoundsRequest(jaegerWindow, jaegerPlan),
  with_a_floor_the_engine_keeps_only_the_traces_whose_bound_reaches_it: () => buildWindowBoundsRequest(jaegerWindow, jaegerPlan, 2935.003),
  where_the_start_is_otel_text_one_statistics_script_per_span_gives_the_first_and_last_start: () => buildWindowBoundsRequest(otelWindow, boundsPlan(otelDynamic)!),
  the_longest_spans_of_the_window_are_sorted_by_duration_with_their_trace_ids: () => buildLongestSpansRequest(jaegerWindow, 20),
  one_span_placed_in_time_outside_the_window_is_enough_to_look_for_traces_crossing_its_edges: () => buildOutsideWindowProbe(jaegerWindow, jaegerPlan),
  traces_that_may_cross_the_window_are_bounded_by_trace_id_from_their_spans_outside_it: () => buildBoundsByIdRequest(jaegerWindow, jaegerPlan, ['4bf92f3577b34da6a3ce929d0e0e4736'], { outsideWindowOnly: true }),
};

describe('trace bounds requests', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const body = cases[name]();
    const file = path.join(GOLDEN, `${name}.json`);
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
    }
    expect(body).toEqual(JSON.parse(fs.readFileSync(file, 'utf8')));
  });

  it('reads the stored end where the producer keeps one, and needs no probe without a window', () => {
    expect(boundsPlan(dataPrepper)!.aggs).toEqual({ first_start: { min: { field: 'startTime' } }, last_start: { max: { field: 'startTime' } }, last_end: { max: { field: 'endTime' } } });
    expect(buildOutsideWindowProbe({ group: jaeger, traceField: 'traceID', filter: [], mustNot: [] }, jaegerPlan)).toBeUndefined();
  });
});

describe('trace bounds', () => {
  it('reads microseconds as milliseconds and bounds the end by the latest start plus the longest span', () => {
    const bounds = jaegerPlan.read({ key: 't', first_start: { value: 1_767_225_600_000_000 }, last_start: { value: 1_767_225_600_080_000 }, longest_0: { value: 90_000 } });
    expect(bounds).toEqual({ startMs: 1_767_225_600_000, lastStartMs: 1_767_225_600_080, longestMs: 90, endMs: -Infinity });
    expect(jaegerPlan.upperMs(bounds)).toBe(170);
    expect(jaegerPlan.guessMs(bounds)).toBe(90);
  });

  it('takes the limit-th trace to appear among the longest spans as the floor, and none when fewer appear', () => {
    const hit = (traceID: string, duration: number) => ({ _index: 'i', _id: `${traceID}${duration}`, sort: [duration, traceID] });
    const response = { hits: { hits: [hit('a', 3_000_000), hit('a', 2_900_000), hit('b', 2_500_000), hit('c', 2_000_000)] } };
    expect(floorFromLongestSpans(response, jaegerWindow, 2)).toBe(2500);
    expect(floorFromLongestSpans(response, jaegerWindow, 4)).toBeUndefined();
  });
});

describe('a refused floor', () => {
  const refused = (type: string, reason: string) => engineErrorFromResponse(400, { error: { type, reason } }, 'the engine');

  it('is an engine without bucket_selector or without painless, not any other failure', () => {
    expect(selectorRefused(refused('parsing_exception', 'Unknown aggregation type [bucket_selector]'))).toBe(true);
    expect(selectorRefused(refused('illegal_argument_exception', 'script_lang not supported [painless]'))).toBe(true);
    expect(selectorRefused(refused('illegal_argument_exception', 'cannot execute [inline] scripts'))).toBe(true);
    expect(selectorRefused(refused('illegal_argument_exception', 'field [traceID] of type [text] is not aggregatable'))).toBe(false);
    expect(selectorRefused(engineErrorFromResponse(404, { error: { type: 'index_not_found_exception', reason: 'no such index [bucket_selector]' } }, 'the engine'))).toBe(false);
    expect(selectorRefused(new EngineError('timeout', 'the engine did not answer a painless search within 30 s'))).toBe(false);
    expect(selectorRefused(new Error('bucket_selector'))).toBe(false);
  });
});
