/**
 * The OpenTelemetry Collector, built here from the Go module proxy with the collector builder
 * (`go.opentelemetry.io/collector/cmd/builder`) and run beside the test engines: it receives
 * OTLP/HTTP on a loopback port and writes with the exporter under test.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type EngineClient } from '../../../src/engine/client';
import {
  delay,
  makeOnce,
  freePort,
  producerCacheDir,
  type ProducerProcess,
  runLogged,
  startProcess,
  waitFor,
} from '../../../src/cli/producerProcess';

const BUILDER_MODULE = 'go.opentelemetry.io/collector/cmd/builder';

/** Go module lines (`module version`) per kind of component, as the builder's config lists them. */
export interface CollectorComponents {
  receivers: string[];
  processors: string[];
  exporters: string[];
  providers: string[];
}

/** The builder's configuration: JSON is YAML, so no YAML library is needed to write it. */
function builderConfig(
  name: string,
  builderVersion: string,
  outputPath: string,
  components: CollectorComponents
): string {
  const gomods = (lines: string[]) => lines.map((gomod) => ({ gomod }));
  return JSON.stringify(
    {
      dist: { name, output_path: outputPath, version: builderVersion },
      receivers: gomods(components.receivers),
      processors: gomods(components.processors),
      exporters: gomods(components.exporters),
      providers: gomods(components.providers),
    },
    null,
    2
  );
}

/** The elasticsearchexporter at the only release the Go proxy and its checksum database serve with a working builder. */
export const ES_COLLECTOR = {
  name: 'otelcol-es',
  builderVersion: '0.120.0',
  components: {
    receivers: ['go.opentelemetry.io/collector/receiver/otlpreceiver v0.120.0'],
    processors: ['go.opentelemetry.io/collector/processor/batchprocessor v0.120.0'],
    exporters: ['github.com/open-telemetry/opentelemetry-collector-contrib/exporter/elasticsearchexporter v0.120.0'],
    providers: [
      'go.opentelemetry.io/collector/confmap/provider/fileprovider v1.26.0',
      'go.opentelemetry.io/collector/confmap/provider/envprovider v1.26.0',
    ],
  } satisfies CollectorComponents,
};

/** The opensearchexporter, served at v0.115.0 only. */
export const OS_COLLECTOR = {
  name: 'otelcol-os',
  builderVersion: '0.115.0',
  components: {
    receivers: ['go.opentelemetry.io/collector/receiver/otlpreceiver v0.115.0'],
    processors: ['go.opentelemetry.io/collector/processor/batchprocessor v0.115.0'],
    exporters: ['github.com/open-telemetry/opentelemetry-collector-contrib/exporter/opensearchexporter v0.115.0'],
    providers: [
      'go.opentelemetry.io/collector/confmap/provider/fileprovider v1.21.0',
      'go.opentelemetry.io/collector/confmap/provider/envprovider v1.21.0',
    ],
  } satisfies CollectorComponents,
};

/**
 * Builds a collector distribution once per configuration into the producer cache: the builder at
 * `builderVersion` is installed there (`GOBIN=<cache>/bin go install`), then generates and compiles
 * the distribution. The marker, written last, holds the builder config the binary was made from,
 * so a changed component list rebuilds and an interrupted build is redone rather than used.
 */
export async function buildCollector(options: {
  name: string;
  builderVersion: string;
  components: CollectorComponents;
  log: (line: string) => void;
}): Promise<string> {
  const dir = producerCacheDir(options.name, options.builderVersion);
  const outputPath = join(dir, 'out');
  const binary = join(outputPath, options.name);
  const marker = join(dir, 'built.yaml');
  const config = builderConfig(options.name, options.builderVersion, outputPath, options.components);
  const make = async () => {
    const logFile = join(dir, 'build.log');
    writeFileSync(logFile, '');
    rmSync(marker, { force: true });
    rmSync(outputPath, { recursive: true, force: true });
    options.log(
      `building the collector ${options.name} with builder v${options.builderVersion} into ${binary} (log: ${logFile})`
    );
    const builder = join(dir, 'bin', 'builder');
    if (!existsSync(builder)) {
      await runLogged('go', ['install', `${BUILDER_MODULE}@v${options.builderVersion}`], dir, logFile, {
        GOBIN: join(dir, 'bin'),
      });
    }
    const configFile = join(dir, 'builder.yaml');
    writeFileSync(configFile, config);
    const partial = `${marker}.partial`;
    await runLogged(builder, ['--config', configFile], dir, logFile);
    if (!existsSync(binary)) {
      throw new Error(`the builder finished without writing ${binary}; see ${logFile}`);
    }
    writeFileSync(partial, config);
    renameSync(partial, marker);
    options.log(`built ${binary}`);
  };
  await makeOnce({
    dir,
    done: () => existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8') === config,
    make,
    log: options.log,
  });
  return binary;
}

export interface RunningCollector {
  /** Base URL of the OTLP/HTTP receiver: POST to `${otlpUrl}/v1/traces` and `/v1/logs`. */
  otlpUrl: string;
  process: ProducerProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts `binary` with an OTLP/HTTP receiver on a free loopback port and `exporter` (one
 * exporter's settings under its component id) in a traces and a logs pipeline. The batch
 * processor is built in, as deployments have it, but left out of the pipelines: without it the
 * receiver answers a POST only once the exporter has sent it on, so an export that fails as a
 * whole fails the POST instead of passing unnoticed.
 */
export async function startCollector(options: {
  binary: string;
  exporterId: string;
  exporter: Record<string, unknown>;
  workDir: string;
}): Promise<RunningCollector> {
  mkdirSync(options.workDir, { recursive: true });
  const port = await freePort();
  const config = {
    receivers: {
      otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}`, max_request_body_size: 256 * 1024 * 1024 } } },
    },
    exporters: { [options.exporterId]: options.exporter },
    service: {
      // The collector's own metrics listen on :8888 by default, which a second collector would contend for.
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
      pipelines: {
        traces: { receivers: ['otlp'], exporters: [options.exporterId] },
        logs: { receivers: ['otlp'], exporters: [options.exporterId] },
      },
    },
  };
  const configFile = join(options.workDir, 'collector.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = join(options.workDir, 'collector.log');
  const child = startProcess({
    name: 'otelcol',
    command: options.binary,
    args: ['--config', `file:${configFile}`],
    logFile,
  });
  const otlpUrl = `http://127.0.0.1:${port}`;
  try {
    // Any HTTP answer (405 to a GET) means the receiver listens.
    await waitFor(
      async () => (await fetch(`${otlpUrl}/v1/traces`, { signal: AbortSignal.timeout(2000) })).status > 0,
      `the collector's OTLP receiver on ${otlpUrl}`,
      { timeoutMs: 120_000, process: child }
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { otlpUrl, process: child, logFile, stop: () => child.stop() };
}

/** POSTs an OTLP/JSON request; the receiver's answer must be 200. */
export async function postOtlp(
  collector: RunningCollector,
  signal: 'traces' | 'logs',
  request: unknown
): Promise<void> {
  const response = await fetch(`${collector.otlpUrl}/v1/${signal}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(300_000),
  });
  const body = await response.text();
  if (response.status !== 200) {
    throw new Error(
      `the collector answered HTTP ${response.status} to /v1/${signal}: ${body.slice(0, 500)}\n${collector.process.logTail()}`
    );
  }
}

/** Log lines of the collector at error level (a document the engine refused is only logged). */
export function collectorErrors(collector: RunningCollector): string[] {
  const text = existsSync(collector.logFile) ? readFileSync(collector.logFile, 'utf8') : '';
  return text.split('\n').filter((line) => /\terror\t/.test(line));
}

async function countOf(client: EngineClient, index: string, query: Record<string, unknown>): Promise<number> {
  try {
    await client.refresh(index);
    const response = await client.search(index, { size: 0, track_total_hits: true, query });
    const total = response.hits?.total;
    return typeof total === 'number' ? total : (total?.value ?? 0);
  } catch {
    return 0; // The index does not exist until the first document arrives.
  }
}

/**
 * Polls (refresh, then count) until `index` holds `expected` documents matching `query`. Fails at
 * once, naming the cause, when the collector logs an error (a document the engine refused is only
 * logged), when it exits, or when more documents arrive than expected.
 */
export async function waitForDocuments(options: {
  client: EngineClient;
  index: string;
  expected: number;
  query?: Record<string, unknown>;
  collector: RunningCollector;
  timeoutMs: number;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const errors = collectorErrors(options.collector);
    if (errors.length > 0) {
      throw new Error(
        `the collector logged ${errors.length} errors while writing ${options.index}; the first:\n${errors.slice(0, 3).join('\n')}`
      );
    }
    if (options.collector.process.exited) {
      throw new Error(
        `the collector ended before ${options.index} was written: ${options.collector.process.logTail()}`
      );
    }
    const seen = await countOf(options.client, options.index, options.query ?? { match_all: {} });
    if (seen > options.expected) {
      throw new Error(`${options.index} holds ${seen} documents, ${options.expected} expected`);
    }
    if (seen === options.expected) {
      return;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${options.index} holds ${seen} of ${options.expected} documents after ${options.timeoutMs} ms\n${options.collector.process.logTail()}`
      );
    }
    await delay(500);
  }
}
