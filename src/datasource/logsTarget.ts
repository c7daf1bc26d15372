/**
 * Which data sources can receive the trace view's logs links: Grafana's trace view builds a logs
 * query for Loki, Elasticsearch, OpenSearch, Splunk, Falcon LogScale, Google Cloud Logging and
 * VictoriaLogs, and this plugin links its own spans to its logs query.
 */
import { LOGS_TARGET_TYPES } from '../types';

/** This plugin's id (plugin.json). */
export const PLUGIN_ID = 'estraces-otel-datasource';

/** The target kinds as a user reads them: "Loki, Elasticsearch, … and VictoriaLogs". */
export const LOGS_TARGET_NAMES = ((names: string[]) => `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`)(Object.values(LOGS_TARGET_TYPES));

export function isLogsTargetType(type: string): boolean {
  return Object.prototype.hasOwnProperty.call(LOGS_TARGET_TYPES, type) || type === PLUGIN_ID;
}

/** What is wrong with a configured target (type unset: Grafana does not know the uid), or nothing. */
export function logsTargetProblem(target: { uid: string; type?: string; name?: string } | undefined): string | undefined {
  if (!target) {
    return undefined;
  }
  if (!target.type) {
    return `the trace-to-logs data source '${target.uid}' does not exist: choose another one in the Trace to logs settings, or clear it to use this data source`;
  }
  if (!isLogsTargetType(target.type)) {
    return `the trace-to-logs data source '${target.name ?? target.uid}' is of type ${target.type}; Grafana's trace view builds logs queries only for ${LOGS_TARGET_NAMES} data sources (or this one): choose one of those`;
  }
  return undefined;
}
