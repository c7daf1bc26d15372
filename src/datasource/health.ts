/**
 * The health check behind "Save & test": can we reach the engine, does the span index pattern
 * match indices, which schema(s) did we find and why. Each failure says exactly what to fix.
 */
import type { EngineClient } from '../engine/client';
import { isEngineError } from '../engine/errors';
import { resolvePattern, QueryError } from '../query/resolve';
import { resolveLogsPattern } from '../query/logs';
import type { FieldOverrides, LogSchemaName, SchemaSetting } from '../types';
import { logsTargetProblem } from './logsTarget';

export interface HealthResult {
  status: 'success' | 'error';
  message: string;
}

export interface HealthSettings {
  spanIndex?: string;
  logsIndex?: string;
  schema?: SchemaSetting;
  fieldOverrides?: FieldOverrides;
  logsSchema?: 'auto' | LogSchemaName;
  /** The trace-to-logs target when it is another data source, as Grafana knows it (type unset: not found). */
  logsTarget?: { uid: string; type?: string; name?: string };
}


export async function checkHealth(client: EngineClient, settings: HealthSettings): Promise<HealthResult> {
  let engineLabel: string;
  try {
    engineLabel = (await client.info()).label;
  } catch (error) {
    return failure(error);
  }
  const pattern = settings.spanIndex?.trim() ?? '';
  const setting = settings.schema ?? 'auto';
  try {
    const resolution = await resolvePattern(client, pattern, setting, settings.fieldOverrides);
    const groups = resolution.groups.map((group) => `${group.schema.name} in ${group.indices.join(', ')} (evidence: ${group.evidence.join(', ')})`);
    const ignored = resolution.unknown.length > 0 ? `; ${resolution.unknown.length} matching index(es) hold no readable spans and are ignored: ${resolution.unknown.map((u) => u.index).join(', ')}` : '';
    const logs = await logsIndexNote(client, settings);
    const target = logsTargetProblem(settings.logsTarget);
    if (target) {
      return { status: 'error', message: `Connected to ${engineLabel}. Span index pattern '${pattern}': ${groups.join('; ')}.${logs} But ${target}.` };
    }
    return {
      status: 'success',
      message: `Connected to ${engineLabel}. Span index pattern '${pattern}': ${groups.join('; ')}${ignored}.${logs}`,
    };
  } catch (error) {
    return failure(error, engineLabel);
  }
}

/** The logs side: which logs schema each logs index holds, or what keeps trace-to-logs from working. */
async function logsIndexNote(client: EngineClient, settings: HealthSettings): Promise<string> {
  const pattern = settings.logsIndex?.trim() ?? '';
  if (pattern === '') {
    return '';
  }
  const resolution = await resolveLogsPattern(client, pattern, settings.logsSchema ?? 'auto');
  const groups = resolution.groups.map((group) => `${group.schema.name} in ${group.indices.join(', ')} (evidence: ${group.evidence.join(', ')})`);
  return ` Logs index pattern '${pattern}': ${groups.join('; ')}.`;
}

function failure(error: unknown, engineLabel?: string): HealthResult {
  if (error instanceof QueryError || isEngineError(error)) {
    return { status: 'error', message: engineLabel ? `Connected to ${engineLabel}, but ${error.message}` : error.message };
  }
  return { status: 'error', message: `Unexpected problem while checking the data source: ${(error as Error)?.message ?? String(error)}` };
}
