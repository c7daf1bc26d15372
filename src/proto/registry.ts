import type { SchemaName } from '../types';
import { otelSchema } from './otel';
import type { SpanSchema } from './schema';

/** Every schema the plugin reads. Adding a schema means adding its file and one entry here. */
export const SPAN_SCHEMAS: SpanSchema[] = [otelSchema];

export function findSchema(name: string): SpanSchema | undefined {
  return SPAN_SCHEMAS.find((schema) => schema.name === name);
}

export function implementedSchemaNames(): SchemaName[] {
  return SPAN_SCHEMAS.map((schema) => schema.name);
}
