/**
 * otel span documents as OpenSearch maps them dynamically: `@timestamp` ("ms.ns"), ids and names as
 * text with keyword sub-fields, the duration a long; `attributes` adds typed attribute mappings.
 */
import { resolveSchemas } from '../../../src/proto/detect';
import type { JsonObject } from '../../../src/proto/schema';

export const dynamicText = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };

export function otelDynamicGroup(attributes?: JsonObject) {
  const text = dynamicText;
  return resolveSchemas('traces*', {
    traces: {
      mappings: {
        properties: {
          '@timestamp': text,
          trace_id: text,
          span_id: text,
          parent_span_id: text,
          name: text,
          kind: text,
          duration: { type: 'long' },
          status: { properties: { code: text } },
          ...(attributes ? { attributes: { properties: attributes } } : {}),
          resource: { properties: { attributes: { properties: { service: { properties: { name: text } } } } } },
        },
      },
    },
  }).groups[0];
}
