/**
 * `npm run demo`: a real engine, real OpenTelemetry SDK traces and logs, ingested the way the
 * Collector's exporter writes them, and the commands to look at the result.
 */
import { parseArgs } from 'node:util';

import { EngineClient } from '../engine/client';
import { redactUserInfo } from '../engine/endpoint';
import { createNodeTransport } from '../engine/nodeTransport';
import { logRecordsFromOtlp, spansFromOtlp } from '../proto/otlp';
import { otelSchema } from '../proto/otel';
import { ingest } from '../query/ingest';
import { type EngineKind, ensureEngine } from './engineRunner';
import { generateCorrelatedLogs, generateDemoTraces } from './sdkData';

export const DEMO_INDEX = 'estraces-demo';
/** Where provisioning/datasources/datasources.yml expects the demo engine. */
const PROVISIONED_URL = 'http://127.0.0.1:9201';

export async function runDemo(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, kind: { type: 'string' }, traces: { type: 'string' } } });
  const kind: EngineKind = values.kind === 'elasticsearch' ? 'elasticsearch' : 'opensearch';
  const url = await ensureEngine(kind, values.url, (line) => process.stderr.write(`${line}\n`));
  // A new seed and the current time per run: running the demo again adds new, recent traces. (Ingest
  // ids are deterministic, so the same spans ingested twice would be stored once.)
  const traces = generateDemoTraces({ traces: Number(values.traces ?? 20), seed: Date.now() % 1_000_000_007 });
  const logs = generateCorrelatedLogs(traces);
  const client = new EngineClient(createNodeTransport({ url }));
  const report = await ingest(client, { schema: otelSchema, index: DEMO_INDEX, spans: spansFromOtlp(traces.request), logs: logRecordsFromOtlp(logs.request) });
  const sample = traces.traceIds.slice(0, 5);
  const lines = [
    `Ingested ${report.spans} spans and ${report.logs} log records into ${url} (${report.engine}), indices ${DEMO_INDEX}*, schema otel.`,
    '',
    'Trace ids:',
    ...sample.map((id) => `  ${id}`),
    '',
    'Look at a trace from the command line:',
    `  node bin/estraces.js trace ${sample[0]} --url ${url} --index '${DEMO_INDEX}*'`,
    `  node bin/estraces.js detect --url ${url} --index '${DEMO_INDEX}*'`,
    '',
    'Look at it in Grafana 11.6+ (build the plugin first with `npm run build`):',
    '  mkdir -p /tmp/grafana-plugins && ln -sfn "$PWD/dist" /tmp/grafana-plugins/estraces-otel-datasource',
    '  GF_PATHS_PLUGINS=/tmp/grafana-plugins GF_PATHS_PROVISIONING="$PWD/provisioning" \\',
    '  GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=estraces-otel-datasource grafana server --homepath <grafana home>',
    `  then open Explore, pick "ES Traces (demo)" and paste a trace id.${url === PROVISIONED_URL ? '' : ` The provisioned data source points at ${PROVISIONED_URL}: change its url in provisioning/datasources/datasources.yml to ${url}.`}`,
    '',
    `Stop the engine with: node bin/estraces.js engine stop --kind ${kind} (its data is kept for the next start on the same port)`,
  ];
  if (report.failed > 0) {
    lines.unshift(`Warning: ${report.failed} documents were rejected: ${report.errors[0]}`);
  }
  // The URL may carry a user and password: the hints show it without them.
  process.stdout.write(`${redactUserInfo(lines.join('\n'))}\n`);
}
