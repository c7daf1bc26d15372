/**
 * Elasticsearch 8 and 9, which no codelibs runner embeds, started by our own launcher
 * (engines/elasticsearch/): real nodes that say what they are as Elasticsearch does, keep and find
 * documents with the default settings, hand back a trace exactly, and end when stopped. The suite's
 * Elasticsearch 8.19.0 is checked where the setup started it; 9.1.0 is started here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

import { engineStatus, type NodesProcessBody, type RunningEngine, startEngine, stopEngine } from '../../src/cli/engineRunner';
import { generateDemoTraces } from '../../src/cli/sdkData';
import { spansFromOtlp } from '../../src/proto/otlp';
import { describeEngine, engineGet, type TestEngine, testEngines } from './engines';
import { cliTrace, exitedWithin, expectedRows, runCli, uniqueIndex, writeTempJson } from './helpers';

interface RootBody {
  name?: string;
  cluster_name?: string;
  cluster_uuid?: string;
  version?: Record<string, unknown>;
  tagline?: string;
}

async function send(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** The root endpoint, as Elasticsearch 8 and 9 answer it, of a node our launcher started. */
async function expectElasticsearchRoot(engine: Pick<RunningEngine, 'url' | 'clusterName'>, version: string, lucene: string, ours = true): Promise<void> {
  const { url } = engine;
  expect(await describeEngine(url)).toMatchObject({ kind: 'elasticsearch', url, version, distribution: 'elasticsearch', label: `Elasticsearch ${version}` });
  const body = (await (await engineGet(url, '')).json()) as RootBody;
  expect(body.tagline).toBe('You Know, for Search');
  if (ours) {
    // The name the start gave this cluster alone, recorded with the engine.
    expect(engine.clusterName).toMatch(/^estraces-elasticsearch-\d+-[0-9a-z]+-[0-9a-f]{6}$/);
    expect(body).toMatchObject({ name: 'node-1', cluster_name: engine.clusterName });
  }
  expect(body.cluster_uuid).toMatch(/^[\w-]{22}$/);
  expect(body.version).toMatchObject({ number: version, build_flavor: 'default', build_snapshot: false, ...(ours ? { build_type: 'tar', lucene_version: lucene } : {}) });
  expect(body.version?.build_hash).toMatch(/^[0-9a-f]{40}$/);
  expect(body.version).not.toHaveProperty('distribution');
  // HEAD / answers too, as clients use it to check that a cluster is up.
  expect((await fetch(`${url}/`, { method: 'HEAD' })).status).toBe(200);
  // Clients of 8.x and later refuse a server whose answers lack this header.
  expect((await engineGet(url, '_cluster/health')).headers.get('x-elastic-product')).toBe('Elasticsearch');
}

/** The demo's traces, ingested in the otel layout, read back span for span by `estraces trace`. */
async function expectTraceReadBack(url: string): Promise<void> {
  const demo = generateDemoTraces({ traces: 2, seed: 33 });
  const index = uniqueIndex('traces-launcher');
  const ingested = await runCli(['ingest', '--url', url, '--index', index, '--schema', 'otel', writeTempJson('launcher.json', demo.request)]);
  expect(ingested.code).toBe(0);
  const source = spansFromOtlp(demo.request);
  const traceId = source[0].traceId;
  expect((await cliTrace([traceId, '--url', url, '--index', `${index}*`])).spans).toEqual(expectedRows(source, traceId));
}

const launched = (engine: TestEngine) => engine.kind === 'elasticsearch' && Number(engine.version.split('.')[0]) >= 8;
const setupEngines = testEngines().filter(launched);

// The node and cluster names and the Lucene version are checked where the suite's setup started the
// engine with our launcher; a cluster named in ESTRACES_TEST_URLS is the user's own.
const ours = !process.env.ESTRACES_TEST_URLS;
const startedBySetup = JSON.parse(process.env.ESTRACES_TEST_STARTED ?? '[]') as RunningEngine[];

// jest refuses an empty table: with ESTRACES_TEST_URLS naming no Elasticsearch 8 or 9 there is none.
if (setupEngines.length > 0) {
  describe.each(setupEngines.map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
    it('answers GET / and HEAD / as Elasticsearch does, with X-Elastic-Product on every answer', async () => {
      const clusterName = startedBySetup.find((record) => record.url === engine.url)?.clusterName;
      await expectElasticsearchRoot({ url: engine.url, clusterName }, engine.version, '9.12.2', ours);
    });

    it("takes the demo of docker-compose.yaml's one-shot service, and the data source it provisions reads the demo's traces and logs", async () => {
      // The same command the compose file runs against http://elasticsearch:9200, here against this engine.
      const demo = await runCli(['demo', '--url', engine.url]);
      expect(demo.code).toBe(0);
      const traceId = /^ {2}([0-9a-f]{32})$/m.exec(demo.stdout)?.[1];
      expect(traceId).toBeDefined();
      const provisioned = parse(readFileSync(join(__dirname, '../../provisioning/docker/datasources.yml'), 'utf8')) as { datasources: Array<{ jsonData: { spanIndex: string; logsIndex: string } }> };
      const { spanIndex, logsIndex } = provisioned.datasources[0].jsonData;
      const trace = await cliTrace([traceId!, '--url', engine.url, '--index', spanIndex]);
      expect(trace.spans.length).toBeGreaterThan(0);
      expect(trace.warnings).toEqual([]);
      const logs = await runCli(['logs', '--url', engine.url, '--index', logsIndex, '--trace-id', traceId!]);
      expect(logs.stderr).toBe('');
      expect((JSON.parse(logs.stdout) as { logs: unknown[] }).logs.length).toBeGreaterThan(0);
    });

    it('creates an index with the default settings, writes to it and finds what it wrote', async () => {
      const { url } = engine;
      const index = uniqueIndex('es8-launcher');
      const created = await send(url, 'PUT', index, { mappings: { properties: { name: { type: 'keyword' }, text: { type: 'text' }, at: { type: 'date_nanos' } } } });
      expect(created).toEqual({ status: 200, json: { acknowledged: true, shards_acknowledged: true, index } });
      const written = await send(url, 'PUT', `${index}/_doc/1?refresh=true`, { name: 'checkout', text: 'the payment failed', at: '2024-05-01T10:00:00.123456789Z' });
      expect(written).toMatchObject({ status: 201, json: { result: 'created' } });
      const found = await send(url, 'POST', `${index}/_search`, { query: { match: { text: 'payment' } } });
      expect(found.status).toBe(200);
      const hits = found.json.hits as { total: { value: number }; hits: Array<{ _id: string; _source: unknown }> };
      expect(hits.total.value).toBe(1);
      expect(hits.hits[0]).toMatchObject({ _id: '1', _source: { name: 'checkout', at: '2024-05-01T10:00:00.123456789Z' } });
    });
  });
}

describe('Elasticsearch 9.1.0 started by the launcher (Java 21+)', () => {
  const base = mkdtempSync(join(tmpdir(), 'estraces-es9-'));
  let engine: RunningEngine | undefined;

  /** The engine beforeAll started; a failed start fails every test with its own message. */
  function started(): RunningEngine {
    if (!engine) {
      throw new Error('Elasticsearch 9.1.0 did not start (see the error of beforeAll)');
    }
    return engine;
  }

  beforeAll(async () => {
    engine = await startEngine({ kind: 'elasticsearch', version: '9.1.0', basePath: base });
  });

  afterAll(async () => {
    if (engine) {
      await stopEngine({ kind: 'elasticsearch', port: engine.port });
    }
    rmSync(base, { recursive: true, force: true });
  });

  it('answers as Elasticsearch 9.1.0 and is listed by engineStatus as alive with its version', async () => {
    await expectElasticsearchRoot(started(), '9.1.0', '10.2.2');
    expect(await engineStatus('elasticsearch')).toContainEqual(expect.objectContaining({ port: started().port, alive: true, version: '9.1.0' }));
  });

  it('is served by the JVM its start launched, the one node of a cluster of its own name', async () => {
    const { url, pid, clusterName } = started();
    const local = (await (await engineGet(url, '_nodes/_local/process')).json()) as NodesProcessBody;
    expect(local.cluster_name).toBe(clusterName);
    expect(Object.values(local.nodes ?? {}).map((node) => [node.name, node.process?.id])).toEqual([['node-1', pid]]);
    const all = (await (await engineGet(url, '_nodes/process')).json()) as NodesProcessBody;
    expect(Object.keys(all.nodes ?? {})).toEqual(Object.keys(local.nodes ?? {}));
  });

  it('hands back the trace ingest wrote, exactly, with the default settings', async () => {
    await expectTraceReadBack(started().url);
  });

  it('ends its process when stopped, and answers no more', async () => {
    const { pid, port, url } = started();
    const stopped = await stopEngine({ kind: 'elasticsearch', port });
    engine = undefined;
    expect(stopped.map((entry) => entry.pid)).toEqual([pid]);
    expect(await exitedWithin(pid, 30_000)).toBe(true);
    await expect(engineGet(url, '')).rejects.toThrow(`cannot reach ${url} (ECONNREFUSED)`);
  });
});
