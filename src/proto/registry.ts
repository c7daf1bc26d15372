import type { SchemaName } from '../types';
import { bklogSchema } from './bklog';
import { bklogLogSchema } from './bklogLog';
import { dataPrepperSchema } from './dataPrepper';
import { ecsSchema } from './ecs';
import { elasticApmSchema } from './elasticApm';
import { jaegerSchema } from './jaeger';
import { otelSchema } from './otel';
import { otelRawSchema } from './otelRaw';
import type { SpanSchema } from './schema';
import { ss4oSchema } from './ss4o';
import { zipkinSchema } from './zipkin';

/**
 * Every schema the plugin reads, in detection order (storage-schemas.md §1): on equal scores the
 * earlier one wins. Adding a schema means adding its file and one entry here.
 */
export const SPAN_SCHEMAS: SpanSchema[] = [jaegerSchema, zipkinSchema, dataPrepperSchema, ss4oSchema, elasticApmSchema, bklogSchema, bklogLogSchema, otelSchema, otelRawSchema, ecsSchema];

export function findSchema(name: string): SpanSchema | undefined {
  return SPAN_SCHEMAS.find((schema) => schema.name === name);
}

export function implementedSchemaNames(): SchemaName[] {
  return SPAN_SCHEMAS.map((schema) => schema.name as SchemaName);
}
