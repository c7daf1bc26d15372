/**
 * Logs schema detection per backing index, as for spans: every index's mapping is scored against
 * each producer's log layout and indices are grouped by the winner.
 */
import type { LogSchemaName } from '../types';
import { bklogLogSchema } from './bklog';
import { bklogLogLogSchema } from './bklogLog';
import { dataPrepperLogSchema } from './dataPrepper';
import { groupIndices, type MappingByIndex, type SchemaGroup } from './detect';
import { ecsLogSchema } from './ecs';
import { elasticApmLogSchema } from './elasticApm';
import type { LogSchema } from './logSchema';
import { otelLogSchema } from './otel';
import { otelRawLogSchema } from './otelRaw';
import { ss4oLogSchema } from './ss4o';

/** Detection order: on equal scores the earlier wins (APM before plain ECS). */
export const LOG_SCHEMAS: LogSchema[] = [elasticApmLogSchema, dataPrepperLogSchema, ss4oLogSchema, bklogLogSchema, bklogLogLogSchema, otelLogSchema, otelRawLogSchema, ecsLogSchema];

export function findLogSchema(name: string): LogSchema | undefined {
  return LOG_SCHEMAS.find((schema) => schema.name === name);
}

export type LogIndexGroup = SchemaGroup<LogSchema>;

export interface LogResolution {
  pattern: string;
  groups: LogIndexGroup[];
  unknown: Array<{ index: string; fields: string[] }>;
}

/** Group the indices of a `_mapping` answer by logs schema (`auto`), or read them all with one. */
export function resolveLogSchemas(pattern: string, mappings: MappingByIndex, setting: 'auto' | LogSchemaName = 'auto'): LogResolution {
  const configured = setting === 'auto' ? undefined : findLogSchema(setting);
  const { groups, unknown } = groupIndices<LogSchema>(mappings, (_index, catalog) => {
    if (configured) {
      return catalog.has(configured.paths.traceId) ? { schema: configured, evidence: [`configured as ${configured.name}`] } : undefined;
    }
    let winner: { schema: LogSchema; evidence: string[] } | undefined;
    let best = 0;
    for (const schema of LOG_SCHEMAS) {
      const detection = schema.detect(catalog);
      if (detection.score > best) {
        best = detection.score;
        winner = { schema, evidence: detection.evidence };
      }
    }
    return winner;
  });
  return { pattern, groups, unknown };
}

/** Why no logs can be read from these indices, naming the trace id fields looked for. */
export function describeUnknownLogs(resolution: LogResolution): string {
  const found = resolution.unknown
    .slice(0, 3)
    .map((entry) => `${entry.index} has ${entry.fields.length > 0 ? entry.fields.join(', ') : 'no mapped fields'}`)
    .join('; ');
  const traceFields = [...new Set(LOG_SCHEMAS.map((schema) => schema.paths.traceId))].join(', ');
  return `logs index pattern '${resolution.pattern}' holds no logs with a trace id field (looked for ${traceFields} with a time, body or severity); found these fields: ${found}`;
}
