/**
 * Jaeger v2 (github.com/jaegertracing/jaeger, `cmd/jaeger`) as the producer: built from the Go
 * module proxy, run with an OTLP/HTTP receiver, the batch processor and `jaeger_storage_exporter`
 * writing into an engine through Jaeger's own `elasticsearch` or `opensearch` backend, and
 * `jaeger_query` answering Jaeger's HTTP API over the same storage. Config keys are Jaeger's
 * (internal/storage/elasticsearch/config/config.go, cmd/jaeger/config-elasticsearch.yaml). The
 * integration suite writes through it; the bench only reads (the `read-alias` variant).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildGoTool, freePort, startProcess, waitFor, type ProducerProcess } from './producerProcess';

export const JAEGER_VERSION = 'v1.76.0';
/** The Jaeger v2 release of that module version (CHANGELOG.md: "v1.76.0 / v2.13.0"); a plain `go build` reports no version. */
export const JAEGER_RELEASE = 'v2.13.0';

/**
 * `aliases` is a rollover setup as `jaeger-es-rollover init` makes it; `read-alias` reads through
 * `<prefix>-jaeger-span-read` wherever its caller points it, and puts no templates and no indices.
 */
export type JaegerVariant = 'default' | 'tags-as-fields' | 'aliases' | 'read-alias';

export interface JaegerOptions {
  engineUrl: string;
  engineKind: 'opensearch' | 'elasticsearch';
  variant: JaegerVariant;
  /** Jaeger's `index_prefix`: indices are `<prefix>-jaeger-span-YYYY-MM-DD`, or rollover aliases `<prefix>-jaeger-span-read|write`. */
  indexPrefix: string;
  /**
   * How far back Jaeger's reads look (`max_span_age`), in milliseconds: it must cover the data's
   * dates. With aliases Jaeger reads all the read alias holds and ignores it (spanstore/reader.go).
   */
  maxSpanAge: number;
}

export interface RunningJaeger {
  /** POST OTLP/JSON to `${otlpUrl}/v1/traces`. */
  otlpUrl: string;
  /** Jaeger's HTTP query API: `${queryUrl}/api/traces/<id>`, `/api/services`, ... */
  queryUrl: string;
  process: ProducerProcess;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 5 * 60_000;

/** Builds Jaeger v2 once into the producer cache (a cold build takes many minutes); returns the binary. */
export function buildJaeger(log: (line: string) => void): Promise<string> {
  return buildGoTool({
    name: 'jaeger',
    version: JAEGER_VERSION,
    module: 'github.com/jaegertracing/jaeger',
    pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger',
    log,
  });
}

/** The engine URL without credentials, and the credentials as Jaeger's basic auth settings. */
function serverAndAuth(engineUrl: string): {
  server: string;
  auth?: { basic: { username: string; password: string } };
} {
  const url = new URL(engineUrl);
  if (!url.username) {
    return { server: engineUrl.replace(/\/+$/, '') };
  }
  const auth = { basic: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } };
  url.username = '';
  url.password = '';
  return { server: url.toString().replace(/\/+$/, ''), auth };
}

function backendConfig(options: JaegerOptions): Record<string, unknown> {
  const { server, auth } = serverAndAuth(options.engineUrl);
  const daily = { date_layout: '2006-01-02', rollover_frequency: 'day', shards: 1, replicas: 0 };
  return {
    server_urls: [server],
    ...(auth ? { auth } : {}),
    indices: { index_prefix: options.indexPrefix, spans: daily, services: daily, dependencies: daily, sampling: daily },
    max_span_age: `${Math.ceil(options.maxSpanAge / 1000)}s`,
    // Jaeger installs its index templates at startup (the default, spelled out), except for a reader only.
    create_mappings: options.variant !== 'read-alias',
    ...(options.variant === 'tags-as-fields' ? { tags_as_fields: { all: true } } : {}),
    ...(options.variant === 'aliases' || options.variant === 'read-alias' ? { use_aliases: true } : {}),
  };
}

function jaegerConfig(
  options: JaegerOptions,
  ports: { otlp: number; http: number; grpc: number }
): Record<string, unknown> {
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      // No metrics endpoint: its default port (8888) would collide between concurrent runs.
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
    },
    extensions: {
      jaeger_storage: { backends: { test_storage: { [options.engineKind]: backendConfig(options) } } },
      jaeger_query: {
        storage: { traces: 'test_storage' },
        http: { endpoint: `127.0.0.1:${ports.http}` },
        grpc: { endpoint: `127.0.0.1:${ports.grpc}` },
        enable_tracing: false,
      },
    },
    receivers: {
      otlp: { protocols: { http: { endpoint: `127.0.0.1:${ports.otlp}`, max_request_body_size: 256 * 1024 * 1024 } } },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'test_storage' } },
  };
}

/** A request to the engine, credentials from the URL sent as a basic Authorization header. */
async function engineRequest(
  engineUrl: string,
  method: string,
  path: string,
  body?: unknown
): Promise<{ status: number; text: string }> {
  const target = new URL(path, `${engineUrl.replace(/\/+$/, '')}/`);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (target.username) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const response = await fetch(target, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * What `jaeger-es-rollover init` does once the templates exist (cmd/es-rollover/app/init/action.go):
 * for spans and services, the first rollover index `<prefix>-jaeger-<kind>-000001` and its read and
 * write aliases, `is_write_index` left out as without ILM. Dependencies are left out, as with
 * `--skip-dependencies`: these tests read no dependency links.
 */
async function rolloverInit(engineUrl: string, indexPrefix: string, jaeger: ProducerProcess): Promise<void> {
  for (const kind of ['span', 'service']) {
    const base = `${indexPrefix}-jaeger-${kind}`;
    // Jaeger puts its template at startup; the first index must be created after it, to get its mapping.
    // On Elasticsearch 8 and later it puts a composable template (_index_template), elsewhere a legacy one.
    await waitFor(
      async () => (await engineRequest(engineUrl, 'GET', `_template/${base}`)).status === 200 || (await engineRequest(engineUrl, 'GET', `_index_template/${base}`)).status === 200,
      `Jaeger's index template ${base}`,
      { timeoutMs: STARTUP_TIMEOUT_MS, process: jaeger }
    );
    const index = `${base}-000001`;
    const created = await engineRequest(engineUrl, 'PUT', index);
    if (created.status !== 200) {
      throw new Error(`creating the rollover index ${index} failed (${created.status}): ${created.text}`);
    }
    const aliases = await engineRequest(engineUrl, 'POST', '_aliases', {
      actions: [{ add: { index, alias: `${base}-read` } }, { add: { index, alias: `${base}-write` } }],
    });
    if (aliases.status !== 200) {
      throw new Error(`creating the aliases of ${index} failed (${aliases.status}): ${aliases.text}`);
    }
  }
}

async function answers(url: string, init?: RequestInit): Promise<boolean> {
  await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return true; // Any HTTP answer means the listener is up.
}

/** One answer of Jaeger's HTTP query API (`/api/traces/ID`, `/api/v3/...`) as the text it sent; else an error naming the status. */
export async function jaegerText(jaeger: RunningJaeger, path: string, timeoutMs = 60_000): Promise<string> {
  const response = await fetch(`${jaeger.queryUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`Jaeger's query API answered ${response.status} to ${path}: ${text.slice(0, 500)}`);
  }
  return text;
}

/** Writes the config, starts Jaeger and resolves once its OTLP receiver and query API answer. */
export async function startJaeger(options: JaegerOptions): Promise<RunningJaeger> {
  const binary = await buildJaeger(() => undefined);
  const ports = { otlp: await freePort(), http: await freePort(), grpc: await freePort() };
  const dir = mkdtempSync(join(tmpdir(), `estraces-jaeger-${options.variant}-`));
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'config.yaml');
  // JSON is YAML: the collector's config loader reads it as it is.
  writeFileSync(configFile, JSON.stringify(jaegerConfig(options, ports), null, 2));
  const jaeger = startProcess({
    name: 'jaeger',
    command: binary,
    args: ['--config', configFile],
    cwd: dir,
    logFile: join(dir, 'jaeger.log'),
  });
  const otlpUrl = `http://127.0.0.1:${ports.otlp}`;
  const queryUrl = `http://127.0.0.1:${ports.http}`;
  try {
    await waitFor(
      async () => (await fetch(`${queryUrl}/api/services`, { signal: AbortSignal.timeout(5_000) })).ok,
      `Jaeger's query API on ${queryUrl}`,
      { timeoutMs: STARTUP_TIMEOUT_MS, process: jaeger }
    );
    await waitFor(() => answers(`${otlpUrl}/v1/traces`), `Jaeger's OTLP receiver on ${otlpUrl}`, {
      timeoutMs: STARTUP_TIMEOUT_MS,
      process: jaeger,
    });
    if (options.variant === 'aliases') {
      await rolloverInit(options.engineUrl, options.indexPrefix, jaeger);
    }
  } catch (error) {
    await jaeger.stop();
    throw error;
  }
  return { otlpUrl, queryUrl, process: jaeger, stop: () => jaeger.stop() };
}
