import { describeUnknown, resolveSchemas } from '../../../src/proto/detect';

const text = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };

/** What dynamic mapping makes of otel-mode documents on OpenSearch / Elasticsearch 7. */
const dynamicOtel = {
  mappings: {
    properties: {
      '@timestamp': text,
      trace_id: text,
      span_id: text,
      name: text,
      kind: text,
      duration: { type: 'long' },
      resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } },
    },
  },
};
const otelEvents = { mappings: { properties: { '@timestamp': text, trace_id: text, span_id: text, event_name: text, resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } } } } };
const unknownLayout = { mappings: { properties: { traceID: { type: 'keyword' }, spanID: { type: 'keyword' }, when: { type: 'date' } } } };
const skywalking = { mappings: { properties: { segment_id: { type: 'keyword' }, data_binary: { type: 'binary' }, service_id: { type: 'keyword' } } } };

/** Elasticsearch 8.16+ otel-data templates: ECS aliases and passthrough objects beside the otel fields. */
const otelDataTemplate = {
  mappings: {
    properties: {
      '@timestamp': { type: 'date' },
      trace_id: { type: 'keyword' },
      span_id: { type: 'keyword' },
      name: { type: 'keyword' },
      kind: { type: 'keyword' },
      duration: { type: 'long' },
      trace: { properties: { id: { type: 'alias', path: 'trace_id' } } },
      span: { properties: { id: { type: 'alias', path: 'span_id' }, name: { type: 'alias', path: 'name' } } },
      attributes: { type: 'passthrough', priority: 20, properties: { 'http.method': { type: 'keyword' } } },
      resource: { properties: { attributes: { type: 'passthrough', priority: 40, properties: { 'service.name': { type: 'keyword' } } } } },
    },
  },
};
const apm = { mappings: { properties: { processor: { properties: { event: { type: 'keyword' } } }, trace: { properties: { id: { type: 'keyword' } } }, span: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' }, duration: { properties: { us: { type: 'long' } } } } }, timestamp: { properties: { us: { type: 'long' } } } } } };
const ecsSpans = { mappings: { properties: { '@timestamp': { type: 'date' }, trace: { properties: { id: text } }, span: { properties: { id: text, name: text, kind: text } }, parent: { properties: { id: text } } } } };

describe('detection traps', () => {
  it('reads an otel-data index as otel although trace.id and span.name exist there as aliases', () => {
    expect(resolveSchemas('t', { t: otelDataTemplate }).groups.map((group) => group.schema.name)).toEqual(['otel']);
  });

  it('tells Elastic APM from the exporter ecs mode by processor.event', () => {
    const resolution = resolveSchemas('traces-*', { 'traces-apm-default': apm, 'traces-generic-default': ecsSpans });
    expect(resolution.groups.map((group) => [group.schema.name, group.indices])).toEqual([
      ['elastic-apm', ['traces-apm-default']],
      ['ecs', ['traces-generic-default']],
    ]);
  });
});

describe('resolveSchemas', () => {
  it('detects otel in a dynamically mapped span index and its events index, grouped together', () => {
    const resolution = resolveSchemas('traces*', { traces: dynamicOtel, 'traces-logs': otelEvents });
    expect(resolution.groups).toHaveLength(1);
    expect(resolution.groups[0].schema.name).toBe('otel');
    expect(resolution.groups[0].indices).toEqual(['traces', 'traces-logs']);
    expect(resolution.groups[0].catalog.get('trace_id')).toEqual({ type: 'text', keywordPath: 'trace_id.keyword' });
    expect(resolution.unknown).toEqual([]);
  });

  it('lists indices it cannot read, with their fields, in the message', () => {
    const resolution = resolveSchemas('spans-*', { 'spans-1': unknownLayout });
    expect(resolution.groups).toEqual([]);
    expect(describeUnknown(resolution, 'auto')).toBe("index pattern 'spans-*' holds spans in an unsupported layout; found these fields: spans-1 has traceID, spanID, when. Supported schemas: jaeger, zipkin, data-prepper, ss4o, elastic-apm, bklog, bklog-log, otel, otel-raw, ecs");
  });

  it('shows the id fields of an unreadable index first, also when they come after the first twelve fields', () => {
    const fields = Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'].map((name) => [name, { type: 'keyword' }]));
    const wide = { mappings: { properties: { ...fields, context: { properties: { trace_id: { type: 'keyword' }, parentSpanID: { type: 'keyword' } } } } } };
    const resolution = resolveSchemas('spans-*', { 'spans-2': wide });
    expect(resolution.unknown).toEqual([{ index: 'spans-2', fields: ['context.trace_id', 'context.parentSpanID', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }]);
  });

  it('names SkyWalking as unsupported', () => {
    const resolution = resolveSchemas('sw*', { 'sw_segment-20240514': skywalking });
    expect(describeUnknown(resolution, 'auto')).toMatch(/^index pattern 'sw\*' holds Apache SkyWalking segments, which store spans inside a binary blob and are unsupported/);
  });

  it('with a configured schema, says the data does not look like it', () => {
    const resolution = resolveSchemas('spans-*', { 'spans-1': unknownLayout }, 'otel');
    expect(describeUnknown(resolution, 'otel')).toMatch(/does not look like schema 'otel' \(its trace and span id fields are missing\)/);
  });

  it('refuses a schema name it does not know, listing those it does', () => {
    expect(() => resolveSchemas('x', { x: dynamicOtel }, 'skywalking' as 'otel')).toThrow("schema 'skywalking' is not supported yet; supported: jaeger, zipkin, data-prepper, ss4o, elastic-apm, bklog, bklog-log, otel, otel-raw, ecs (or auto)");
  });
});
