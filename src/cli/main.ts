/**
 * estraces: the query core from the command line. JSON on stdout, errors on stderr, exit code 1
 * on failure. Every command is a thin wire from arguments to the core and back.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { EngineClient } from '../engine/client';
import { isEngineError } from '../engine/errors';
import { createNodeTransport } from '../engine/nodeTransport';
import { parseTimeoutMs, redactUserInfo } from '../engine/endpoint';
import { findSchema, implementedSchemaNames } from '../proto/registry';
import { findOperations, findServices } from '../query/discovery';
import { ingestBatches, needsWholeTraces } from '../query/ingest';
import { resolveLogsPattern, searchLogs } from '../query/logs';
import { parseDuration } from '../query/filters';
import { checkStepMs, defaultStepMs, type MetricsGroupBy, operationTable, parseGroupBy, parseKinds, spanMetrics } from '../query/metrics';
import { FILTER_KINDS } from '../query/searchClauses';
import { DEFAULT_SERVICE_MAP_SPANS, serviceMap } from '../query/serviceMap';
import { parseSearchInput, searchTraces } from '../query/search';
import { QueryError, resolvePattern } from '../query/resolve';
import { parseTimeExpression } from '../query/timeExpression';
import { importTrace } from '../query/importTrace';
import { runTraceQuery, type TraceQueryResult } from '../query/traceQuery';
import { traceStats } from '../query/traceStats';
import { nanosToMillis } from '../proto/time';
import { DEFAULT_MAX_TRACE_SPANS, type FieldOverrides, LOG_SCHEMA_NAMES, type LogSchemaName, SCHEMA_NAMES, type SchemaSetting } from '../types';
import { ENGINE_VERSIONS, type EngineKind, engineStatus, startEngine, stopEngine } from './engineRunner';
import { formatRejection, OTLP_BATCH_RECORDS, openOtlpFiles } from './otlpFiles';

const USAGE = `usage: estraces <command> [options]

  engine start --kind opensearch|elasticsearch [--version V] [--port N] [--nodes N]
               (versions: opensearch ${ENGINE_VERSIONS.opensearch.join(', ')}; elasticsearch ${ENGINE_VERSIONS.elasticsearch.join(', ')}; the first is the default)
  engine stop --kind opensearch|elasticsearch [--port N]
  engine status [--kind K]
  ingest --url URL --index NAME --schema SCHEMA [--mapping dynamic|template] [--shards N] [--replicas N] FILE...
  detect --url URL --index PATTERN [--schema auto|NAME|custom --field KEY=PATH ...]
  trace TRACE_ID --url URL --index PATTERN [--schema auto|NAME|custom --field KEY=PATH ...]
        [--from T --to T] [--max-spans N]
  trace --file FILE [TRACE_ID]   (no engine: a trace file in OTLP/JSON, Jaeger or Zipkin JSON;
        the trace with that id, else the file's first)
  stats TRACE_ID --url URL --index PATTERN [--schema auto|NAME|custom --field KEY=PATH ...]
        [--group-by service|operation|KEY] [--from T --to T] [--max-spans N]
        (Jaeger UI's trace statistics: per service and operation by default; sorted by self time)
  services --url URL --index PATTERN [--from T --to T]
  operations --url URL --index PATTERN --service S [--from T --to T]
  search --url URL --index PATTERN [--service S] [--operation O] [--tags LOGFMT]
        [--min-duration D] [--max-duration D] [--status error|ok|unset] [--from T --to T]
        [--limit N] [--sort recent|slowest]
  logs --url URL --index PATTERN [--trace-id X] [--span-id Y] [--service S] [--severity L]
        [--text T] [--from T --to T] [--limit N] [--logs-schema auto|NAME]
  metrics --url URL --index PATTERN [--service S] [--operation O] [--tags LOGFMT]
        [--min-duration D] [--max-duration D] [--status error|ok|unset]
        [--kind server|client|producer|consumer|internal] [--from T --to T]
        [--group-by service|operation|KEY] [--step D]   (default: the last hour, 60 steps)
        [--table]   (one row per service and operation over the range instead)
  servicemap --url URL --index PATTERN [--from T --to T] [--max-spans N]
        (default: the last hour; edges from all spans up to --max-spans, default ${DEFAULT_SERVICE_MAP_SPANS}, else a sample of traces)
  demo [--url URL] [--kind opensearch|elasticsearch]
  bench [--quick] [--kind opensearch|elasticsearch] [--url URL] [--runs N] [--out FILE] [--ingest-memory]

Custom layouts: --schema custom with --field traceId=PATH --field spanId=PATH --field start=PATH and
optionally parentSpanId, serviceName, name, duration, durationUnit (ns|us|ms), statusCode, attributesPrefix.
Times T: ISO 8601, epoch milliseconds, or now-1h style (ms, s, m, h, d, w, M, y).

Environment:
  ESTRACES_USERNAME and ESTRACES_PASSWORD, or ESTRACES_API_KEY   credentials for the engine
                      (user info in the URL, http://user:password@host:9200, works too)
  ESTRACES_TIMEOUT_MS how long one engine request may take, in ms (default 120000)
  ESTRACES_CACHE_DIR  where engine start keeps engines and their data (default ~/.cache/estraces)

Exit codes: 0 done, 1 failed (the message says why), 3 trace not found.`;

class UsageError extends Error {}

/** The exit code of `trace` for a trace that is not there (1 is any failure). */
export const EXIT_NOT_FOUND = 3;

type Values = Record<string, string | boolean | string[] | undefined>;

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`--${name} is required`);
  }
  return value;
}

/** Credentials may come from --url (user:password@) or the environment, never from both. */
const CREDENTIAL_NAMES = { url: '--url', username: 'ESTRACES_USERNAME', password: 'ESTRACES_PASSWORD', apiKey: 'ESTRACES_API_KEY' };

function clientFor(url: string): EngineClient {
  const env = process.env;
  const timeoutMs = parseTimeoutMs(env.ESTRACES_TIMEOUT_MS, 'ESTRACES_TIMEOUT_MS', 120_000);
  return new EngineClient(
    createNodeTransport({ url, username: env.ESTRACES_USERNAME, password: env.ESTRACES_PASSWORD, apiKey: env.ESTRACES_API_KEY, timeoutMs, credentialNames: CREDENTIAL_NAMES, timeoutSetting: 'ESTRACES_TIMEOUT_MS' })
  );
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function engineKind(value: Values[string]): EngineKind {
  if (value === 'opensearch' || value === 'elasticsearch') {
    return value;
  }
  throw new UsageError('--kind must be opensearch or elasticsearch');
}

function positiveInt(value: Values[string], name: string, fallback?: number): number | undefined {
  if (value === undefined) {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new UsageError(`--${name} must be a positive integer`);
  }
  return parsed;
}

async function engineCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { kind: { type: 'string' }, version: { type: 'string' }, port: { type: 'string' }, nodes: { type: 'string' } } });
  const action = positionals[0];
  if (action === 'start') {
    const kind = engineKind(values.kind);
    if (values.version !== undefined && !ENGINE_VERSIONS[kind].includes(values.version)) {
      throw new UsageError(`--version for ${kind} must be one of ${ENGINE_VERSIONS[kind].join(', ')}`);
    }
    const engine = await startEngine({ kind, version: values.version, port: positiveInt(values.port, 'port'), nodes: positiveInt(values.nodes, 'nodes', 1), log: (line) => process.stderr.write(`${line}\n`) });
    process.stderr.write(`${engine.kind} ${engine.version} running (pid ${engine.pid}, cluster ${engine.clusterName}, data ${engine.dataDir}, log ${engine.logFile})\n`);
    process.stdout.write(`${engine.url}\n`);
  } else if (action === 'stop') {
    const stopped = await stopEngine({ kind: engineKind(values.kind), port: positiveInt(values.port, 'port') });
    // Data is never deleted on stop: say where it stays and which start reuses it.
    stopped.forEach((engine) => process.stderr.write(`${engine.keptData}\n`));
    print({ stopped: stopped.map((engine) => ({ kind: engine.kind, url: engine.url, pid: engine.pid, dataDir: engine.dataDir })) });
  } else if (action === 'status') {
    print(await engineStatus(values.kind === undefined ? undefined : engineKind(values.kind)));
  } else {
    throw new UsageError('engine needs start, stop or status');
  }
}

async function ingestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, index: { type: 'string' }, schema: { type: 'string' }, mapping: { type: 'string' }, shards: { type: 'string' }, replicas: { type: 'string' } } });
  const schemaName = required(values, 'schema');
  const schema = findSchema(schemaName);
  if (!schema) {
    const known = (SCHEMA_NAMES as readonly string[]).includes(schemaName);
    throw new UsageError(`${known ? `schema '${schemaName}' is not implemented yet` : `unknown schema '${schemaName}'`}; available: ${implementedSchemaNames().join(', ')}`);
  }
  if (positionals.length === 0) {
    throw new UsageError('give at least one OTLP/JSON file to ingest');
  }
  const mapping = values.mapping;
  if (mapping !== undefined && mapping !== 'dynamic' && mapping !== 'template') {
    throw new UsageError('--mapping must be dynamic or template');
  }
  const shards = positiveInt(values.shards, 'shards');
  const replicas = values.replicas === undefined ? undefined : values.replicas === '0' ? 0 : positiveInt(values.replicas, 'replicas');
  const input = await openOtlpFiles(positionals, { wholeTraces: needsWholeTraces(schema) });
  const report = await ingestBatches(clientFor(required(values, 'url')), { schema, index: required(values, 'index'), mapping, shards, replicas, logRecords: input.logs, batches: input.batches(OTLP_BATCH_RECORDS) });
  const { rejections } = input;
  print({ ...report, rejected: rejections.count, rejections: rejections.first });
  for (const warning of report.warnings) {
    process.stderr.write(`warning: ${warning}\n`);
  }
  if (rejections.count > 0) {
    const more = rejections.count - rejections.first.length;
    process.stderr.write(`${rejections.count} of ${input.spans + input.logs} records were rejected and not written:\n${rejections.first.map((record) => `  ${formatRejection(record)}\n`).join('')}${more > 0 ? `  ... and ${more} more\n` : ''}`);
  }
  if (report.failed > 0) {
    process.stderr.write(`${report.failed} of ${report.documents} documents were rejected by the engine; first: ${report.errors[0]}\n`);
  }
  return rejections.count > 0 || report.failed > 0 ? 1 : 0;
}

function schemaSetting(value: Values[string]): SchemaSetting {
  if (value === undefined || value === 'auto' || value === 'custom') {
    return value ?? 'auto';
  }
  if (typeof value === 'string' && (SCHEMA_NAMES as readonly string[]).includes(value)) {
    return value as SchemaSetting;
  }
  throw new UsageError(`--schema must be auto, custom or one of ${SCHEMA_NAMES.join(', ')}`);
}

const FIELD_KEYS = ['traceId', 'spanId', 'parentSpanId', 'serviceName', 'name', 'start', 'duration', 'durationUnit', 'statusCode', 'attributesPrefix'];

/** `--field traceId=trace.id --field start=@timestamp ...` for a custom layout. */
function fieldOverrides(fields: string[] | undefined): FieldOverrides | undefined {
  if (!fields || fields.length === 0) {
    return undefined;
  }
  const overrides: Record<string, string> = {};
  for (const field of fields) {
    const [key, ...rest] = field.split('=');
    if (!FIELD_KEYS.includes(key) || rest.length === 0) {
      throw new UsageError(`--field takes KEY=PATH with KEY one of ${FIELD_KEYS.join(', ')}; got '${field}'`);
    }
    overrides[key] = rest.join('=');
  }
  if (overrides.durationUnit && !['ns', 'us', 'ms'].includes(overrides.durationUnit)) {
    throw new UsageError('--field durationUnit= takes ns, us or ms');
  }
  return overrides as FieldOverrides;
}

const SCHEMA_OPTIONS = { schema: { type: 'string' }, field: { type: 'string', multiple: true } } as const;

async function detectCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, index: { type: 'string' }, ...SCHEMA_OPTIONS } });
  const resolution = await resolvePattern(clientFor(required(values, 'url')), required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  const groups = resolution.groups.map((group) => ({ schema: group.schema.name, producer: group.schema.producer, indices: group.indices, evidence: group.evidence }));
  print({ schema: groups.length === 1 ? groups[0].schema : 'mixed', pattern: resolution.pattern, groups, unknown: resolution.unknown });
}

async function traceCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string' }, index: { type: 'string' }, ...SCHEMA_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, 'max-spans': { type: 'string' }, file: { type: 'string' } },
  });
  if (values.file !== undefined) {
    return printTrace(await traceFromFile(values, positionals));
  }
  if (positionals.length !== 1) {
    throw new UsageError('give exactly one trace id');
  }
  const window = windowOf(values);
  const client = clientFor(required(values, 'url'));
  const resolution = await resolvePattern(client, required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  return printTrace(await runTraceQuery(client, { traceId: positionals[0], resolution, window, maxSpans: positiveInt(values['max-spans'], 'max-spans', DEFAULT_MAX_TRACE_SPANS)! }));
}

/** The options that choose and bound an engine read, which a trace file has no use for. */
const ENGINE_TRACE_OPTIONS = ['url', 'index', 'schema', 'field', 'from', 'to', 'max-spans'];

/** `trace --file FILE [TRACE_ID]`: the whole file is read, with no engine. */
async function traceFromFile(values: Values, positionals: string[]): Promise<TraceQueryResult> {
  const path = required(values, 'file');
  const engineOnly = ENGINE_TRACE_OPTIONS.filter((name) => values[name] !== undefined);
  if (engineOnly.length > 0) {
    throw new UsageError(`--file reads the trace from the file, with no engine: leave out ${engineOnly.map((name) => `--${name}`).join(', ')}`);
  }
  if (positionals.length > 1) {
    throw new UsageError('give at most one trace id with --file');
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --file ${path}: ${(error as Error).message}`);
  }
  return importTrace(text, positionals[0]);
}

/** A trace as JSON, read from an engine or a file alike; a trace not found exits with EXIT_NOT_FOUND. */
function printTrace(result: TraceQueryResult): number {
  print({ traceID: result.traceId, spans: result.rows, warnings: result.notices.map((notice) => notice.text) });
  if (!result.found) {
    process.stderr.write(`estraces: ${result.notices[0].text}\n`);
    return EXIT_NOT_FOUND;
  }
  return 0;
}

/**
 * Loaded on demand: the demo needs the OpenTelemetry SDK, a development dependency, and every
 * other command must work without it. A plain require, because the CLI runs as CommonJS.
 */
function loadDemo(): typeof import('./demo') {
  return require('./demo');
}

/** `--from T --to T` (both or neither) as a window, or undefined for all time. */
function windowOf(values: Values): { fromNs: bigint; toNs: bigint } | undefined {
  const fromNs = typeof values.from === 'string' ? timeOption(values.from, 'from') : undefined;
  const toNs = typeof values.to === 'string' ? timeOption(values.to, 'to') : undefined;
  if (fromNs === undefined && toNs === undefined) {
    return undefined;
  }
  if (fromNs === undefined || toNs === undefined) {
    throw new UsageError(`--${fromNs === undefined ? 'to' : 'from'} needs --${fromNs === undefined ? 'from' : 'to'} too: give both for a time range, or neither for all time`);
  }
  if (fromNs > toNs) {
    throw new UsageError(`--from ${values.from} is after --to ${values.to}: the range would hold nothing`);
  }
  return { fromNs, toNs };
}

function timeOption(text: string, name: 'from' | 'to'): bigint {
  try {
    return parseTimeExpression(text);
  } catch (error) {
    throw new UsageError(`--${name}: ${(error as Error).message}`);
  }
}

async function discoveryCommand(kind: 'services' | 'operations', args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, index: { type: 'string' }, ...SCHEMA_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, service: { type: 'string' } } });
  const client = clientFor(required(values, 'url'));
  const resolution = await resolvePattern(client, required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  const window = windowOf(values);
  const found = kind === 'services' ? await findServices(client, { resolution, window }) : await findOperations(client, { resolution, window, service: required(values, 'service') });
  found.warnings.forEach((warning) => process.stderr.write(`warning: ${warning}\n`));
  print(found.values);
}

async function searchCommand(args: string[]): Promise<void> {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args,
    options: { url: text, index: text, ...SCHEMA_OPTIONS, from: text, to: text, service: text, operation: text, tags: text, 'min-duration': text, 'max-duration': text, status: text, limit: text, sort: text },
  });
  // Parsed before any engine call, so bad input is named without a round trip.
  const request = parseSearchInput({ service: values.service, operation: values.operation, tags: values.tags, minDuration: values['min-duration'], maxDuration: values['max-duration'], status: values.status, limit: values.limit, sort: values.sort });
  const window = windowOf(values);
  const client = clientFor(required(values, 'url'));
  const resolution = await resolvePattern(client, required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  const result = await searchTraces(client, { resolution, window, request });
  result.warnings.forEach((warning) => process.stderr.write(`warning: ${warning}\n`));
  print({
    traces: result.traces.map((trace) => ({
      traceID: trace.traceId,
      startTime: trace.startMs,
      duration: trace.durationMs,
      rootService: trace.rootService,
      rootName: trace.rootName,
      spans: trace.spans,
      errors: trace.errors,
      services: trace.services,
    })),
  });
}

async function metricsCommand(args: string[]): Promise<void> {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args,
    options: { url: text, index: text, ...SCHEMA_OPTIONS, from: text, to: text, service: text, operation: text, tags: text, 'min-duration': text, 'max-duration': text, status: text, kind: text, 'group-by': text, step: text, table: { type: 'boolean' } },
  });
  if (values.table && (values['group-by'] !== undefined || values.step !== undefined)) {
    throw new UsageError('--table gives one row per service and operation over the whole range: leave out --group-by and --step');
  }
  // Parsed before any engine call, so bad input is named without a round trip.
  const groupBy = groupByOption(values['group-by']);
  const request = parseSearchInput({ service: values.service, operation: values.operation, tags: values.tags, minDuration: values['min-duration'], maxDuration: values['max-duration'], status: values.status });
  const filters = { ...request.filters, kind: kindOption(values.kind) };
  const now = BigInt(Date.now()) * BigInt(1_000_000);
  const window = windowOf(values) ?? { fromNs: now - BigInt(3_600_000) * BigInt(1_000_000), toNs: now };
  const rangeMs = Number((window.toNs - window.fromNs) / BigInt(1_000_000));
  const stepMs = values.step === undefined ? defaultStepMs(rangeMs) : checkStepMs(rangeMs, Number(parseDuration(values.step, '--step') / BigInt(1_000_000)), `--step ${values.step}`);
  const client = clientFor(required(values, 'url'));
  const resolution = await resolvePattern(client, required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  const result = values.table ? await operationTable(client, { resolution, window, filters }) : await spanMetrics(client, { resolution, window, stepMs, filters, groupBy });
  result.warnings.forEach((warning) => process.stderr.write(`warning: ${warning}\n`));
  print(result);
}

/** `--group-by service|operation|KEY` (`attribute:KEY` for a key named service or operation). */
function groupByOption(value: string | undefined): MetricsGroupBy | undefined {
  try {
    if (value === undefined || value.trim() !== '') {
      return parseGroupBy(value);
    }
  } catch {
    // Named below, with the flag.
  }
  throw new UsageError(`--group-by takes service, operation or an attribute key (attribute:KEY for a key named service or operation); got '${value}'`);
}

/** `--kind K`, or several comma-separated. */
function kindOption(value: string | undefined): ReturnType<typeof parseKinds> {
  try {
    const kinds = parseKinds(value);
    if (value === undefined || kinds !== undefined) {
      return kinds;
    }
  } catch {
    // Named below, with the flag.
  }
  throw new UsageError(`--kind takes ${FILTER_KINDS.join(', ')}, or several comma-separated; got '${value}'`);
}

async function serviceMapCommand(args: string[]): Promise<void> {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({ args, options: { url: text, index: text, ...SCHEMA_OPTIONS, from: text, to: text, 'max-spans': text } });
  const now = BigInt(Date.now()) * BigInt(1_000_000);
  const window = windowOf(values) ?? { fromNs: now - BigInt(3_600_000) * BigInt(1_000_000), toNs: now };
  const maxSpans = positiveInt(values['max-spans'], 'max-spans', DEFAULT_SERVICE_MAP_SPANS)!;
  const client = clientFor(required(values, 'url'));
  const resolution = await resolvePattern(client, required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  const map = await serviceMap(client, { resolution, window, maxSpans });
  map.warnings.forEach((warning) => process.stderr.write(`warning: ${warning}\n`));
  print({ nodes: map.nodes, edges: map.edges, warnings: map.warnings });
}

/** A trace's statistics as JSON rows (query/traceStats); a trace not found exits with EXIT_NOT_FOUND, as `trace` does. */
async function statsCommand(args: string[]): Promise<number> {
  const text = { type: 'string' } as const;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: text, index: text, ...SCHEMA_OPTIONS, from: text, to: text, 'max-spans': text, 'group-by': text } });
  if (positionals.length !== 1) {
    throw new UsageError('give exactly one trace id');
  }
  // Parsed before any engine call, so bad input is named without a round trip.
  const groupBy = groupByOption(values['group-by']) ?? 'operation';
  const window = windowOf(values);
  const maxSpans = positiveInt(values['max-spans'], 'max-spans', DEFAULT_MAX_TRACE_SPANS)!;
  const client = clientFor(required(values, 'url'));
  const resolution = await resolvePattern(client, required(values, 'index'), schemaSetting(values.schema), fieldOverrides(values.field));
  const result = await runTraceQuery(client, { traceId: positionals[0], resolution, window, maxSpans });
  const stats = traceStats(result.rows, groupBy);
  print({ traceID: result.traceId, groupBy: stats.groupBy, traceDurationMs: stats.traceDurationMs, spans: stats.spanCount, rows: stats.rows, warnings: [...result.notices.map((notice) => notice.text), ...stats.warnings] });
  if (!result.found) {
    process.stderr.write(`estraces: ${result.notices[0].text}\n`);
    return EXIT_NOT_FOUND;
  }
  return 0;
}

function logsSchemaSetting(value: Values[string]): 'auto' | LogSchemaName {
  if (value === undefined) {
    return 'auto';
  }
  if (value === 'auto' || LOG_SCHEMA_NAMES.includes(value as LogSchemaName)) {
    return value as 'auto' | LogSchemaName;
  }
  throw new UsageError(`--logs-schema must be auto or one of ${LOG_SCHEMA_NAMES.join(', ')}`);
}

async function logsCommand(args: string[]): Promise<void> {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({ args, options: { url: text, index: text, 'trace-id': text, 'span-id': text, service: text, severity: text, text, from: text, to: text, limit: text, 'logs-schema': text } });
  const window = windowOf(values);
  const limit = positiveInt(values.limit, 'limit');
  const client = clientFor(required(values, 'url'));
  const resolution = await resolveLogsPattern(client, required(values, 'index'), logsSchemaSetting(values['logs-schema']));
  const result = await searchLogs(client, {
    resolution,
    window,
    limit,
    filters: { traceId: values['trace-id'], spanId: values['span-id'], service: values.service, severity: values.severity, text: values.text },
  });
  result.warnings.forEach((warning) => process.stderr.write(`warning: ${warning}\n`));
  print({
    logs: result.lines.map((line) => ({
      timestamp: nanosToMillis(line.timeUnixNano),
      body: line.body ?? null,
      severity: line.severityText ?? null,
      traceID: line.traceId ?? null,
      spanID: line.spanId ?? null,
      attributes: line.attributes,
    })),
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'engine':
        await engineCommand(args);
        return 0;
      case 'ingest':
        return await ingestCommand(args);
      case 'detect':
        await detectCommand(args);
        return 0;
      case 'trace':
        return await traceCommand(args);
      case 'stats':
        return await statsCommand(args);
      case 'services':
      case 'operations':
        await discoveryCommand(command, args);
        return 0;
      case 'search':
        await searchCommand(args);
        return 0;
      case 'logs':
        await logsCommand(args);
        return 0;
      case 'metrics':
        await metricsCommand(args);
        return 0;
      case 'servicemap':
        await serviceMapCommand(args);
        return 0;
      case 'demo':
        await loadDemo().runDemo(args);
        return 0;
      case 'bench':
        // Loaded on demand, like the demo: it builds frames and generates data no other command needs.
        await (require('./bench') as typeof import('./bench')).runBench(args);
        return 0;
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    const message = error instanceof UsageError ? `${error.message}\n\n${USAGE}` : isEngineError(error) || error instanceof QueryError ? error.message : (error as Error)?.message ?? String(error);
    // Whatever failed, a password given in a URL is not repeated.
    process.stderr.write(`estraces: ${redactUserInfo(message)}\n`);
    return 1;
  }
}
