/**
 * The engines the suite runs against are real and healthy, and the runner that started them
 * reports, refuses, starts and stops engines as `estraces engine` promises: each start a cluster of
 * its own, served by the process it launched, whose data outlives a stop.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  cacheDir,
  engineStatus,
  isResolved,
  type NodesProcessBody,
  type RunningEngine,
  startEngine,
  stopEngine,
  stopRunning,
} from '../../src/cli/engineRunner';
import { describeEngine, engineGet, engineRequest, testEngines } from './engines';
import { type CliResult, exitedWithin, runCli } from './helpers';


interface Health {
  status: string;
  number_of_nodes: number;
}

async function health(url: string): Promise<Health> {
  const response = await engineGet(url, '_cluster/health');
  expect(response.status).toBe(200);
  return (await response.json()) as Health;
}

describe('the integration engines', () => {
  it.each(testEngines().map((engine) => [engine.label, engine.url]))(
    '%s at %s has cluster health green or yellow',
    async (_label, url) => {
      expect(['green', 'yellow']).toContain((await health(url)).status);
    }
  );

  it('are what their root endpoints report', async () => {
    for (const engine of testEngines()) {
      expect(await describeEngine(engine.url)).toEqual(engine);
    }
  });
});

// With ESTRACES_TEST_URLS the user chose the clusters and this run started none; these concern the
// engines the global setup starts, and the runner that started them.
if (!process.env.ESTRACES_TEST_URLS) {
  const started = JSON.parse(process.env.ESTRACES_TEST_STARTED ?? '[]') as RunningEngine[];
  const base = process.env.ESTRACES_TEST_BASE ?? '';

  describe('the engines started by the test setup', () => {
    it('are OpenSearch 2.19.1 and 3.3.2 and Elasticsearch 7.10.2 and 8.19.0', () => {
      const found = testEngines()
        .map(({ kind, version, distribution, label }) => ({ kind, version, distribution, label }))
        .sort((a, b) => a.label.localeCompare(b.label));
      expect(found).toEqual([
        { kind: 'elasticsearch', version: '7.10.2', distribution: 'elasticsearch', label: 'Elasticsearch 7.10.2' },
        { kind: 'elasticsearch', version: '8.19.0', distribution: 'elasticsearch', label: 'Elasticsearch 8.19.0' },
        { kind: 'opensearch', version: '2.19.1', distribution: 'opensearch', label: 'OpenSearch 2.19.1' },
        { kind: 'opensearch', version: '3.3.2', distribution: 'opensearch', label: 'OpenSearch 3.3.2' },
      ]);
      expect(started.map((engine) => engine.url).sort()).toEqual(
        testEngines()
          .map((engine) => engine.url)
          .sort()
      );
    });

    it('are listed by engineStatus as alive, with their health and version', async () => {
      const statuses = await engineStatus();
      for (const engine of testEngines()) {
        const status = statuses.find((entry) => entry.url === engine.url);
        expect(status).toMatchObject({ kind: engine.kind, alive: true, version: engine.version });
        expect(['green', 'yellow']).toContain(status?.health);
        expect(existsSync(join(cacheDir(), 'run', `${engine.kind}-${status?.port}.json`))).toBe(true);
      }
    });

    it('keep their ports: a start on a taken port is refused before any JVM runs', async () => {
      const opensearch = started.find((engine) => engine.kind === 'opensearch');
      expect(opensearch).toBeDefined();
      const port = opensearch?.port ?? 0;
      await expect(startEngine({ kind: 'opensearch', port })).rejects.toThrow(
        `opensearch: HTTP port ${port} is already in use (cluster '${opensearch?.clusterName}' answers it): choose another port, ` +
          'or give none to take the first free ones from 9201'
      );
      expect(await engineStatus('opensearch')).toContainEqual(expect.objectContaining({ port, pid: opensearch?.pid }));
    });
  });

  describe('the engine runner', () => {
    it('reports the end of the engine log when the engine dies while starting, and leaves no record', async () => {
      // 1 MB of heap: the JVM itself refuses to start, a quick and certain failure.
      const message = await startEngine({ kind: 'opensearch', heapMb: 1, basePath: join(base, 'dies') }).then(
        async (engine) => `started ${String(await stopRunning(engine))}`,
        (error: Error) => error.message
      );
      expect(message).toMatch(
        /^opensearch on http:\/\/127\.0\.0\.1:\d+ did not start: the engine process exited before/
      );
      expect(message).toMatch(/last lines of .*engine\.log:\n(.|\n)*Too small maximum heap/);
      const port = /127\.0\.0\.1:(\d+)/.exec(message)?.[1];
      expect(existsSync(join(cacheDir(), 'run', `opensearch-${port}.json`))).toBe(false);
    });

    it('refuses an engine version it cannot start, naming the ones it can', async () => {
      await expect(startEngine({ kind: 'elasticsearch', version: '8.18.0' })).rejects.toThrow('elasticsearch 8.18.0 cannot be started here; the versions estraces starts are 7.10.2, 8.19.0, 9.1.0');
    });

    it('starts a two-node cluster on free ports, waits for both nodes, and stops it by port', async () => {
      const engine = await startEngine({ kind: 'elasticsearch', nodes: 2, basePath: join(base, 'two-nodes') });
      try {
        expect(testEngines().map((test) => test.url)).not.toContain(engine.url);
        expect(await health(engine.url)).toMatchObject({ number_of_nodes: 2 });
        // Node 2 listens on the next port and belongs to the same cluster.
        expect(await health(`http://127.0.0.1:${engine.port + 1}`)).toMatchObject({ number_of_nodes: 2 });
        expect(await engineStatus('elasticsearch')).toContainEqual(
          expect.objectContaining({ port: engine.port, alive: true })
        );
      } finally {
        const stopped = await stopEngine({ kind: 'elasticsearch', port: engine.port });
        expect(stopped.map((entry) => entry.pid)).toEqual([engine.pid]);
      }
      expect(await exitedWithin(engine.pid, 30_000)).toBe(true);
      expect(existsSync(join(cacheDir(), 'run', `elasticsearch-${engine.port}.json`))).toBe(false);
      await expect(engineGet(engine.url, '')).rejects.toThrow(`cannot reach ${engine.url} (ECONNREFUSED)`);
      // Stopping what is already stopped finds nothing to do.
      expect(await stopRunning(engine)).toBe(false);
      expect(await stopEngine({ kind: 'elasticsearch', port: engine.port })).toEqual([]);
    });
  });
}

/** `estraces ARGS` with ESTRACES_CACHE_DIR set to `cache`, so it acts only on the engines recorded there. */
function estracesWithCache(cache: string, args: string[]): Promise<CliResult> {
  return runCli(args, { ESTRACES_CACHE_DIR: cache });
}

interface CacheStart {
  cache: string;
  url: string;
  port: number;
  /** The pid the start recorded for the JVM it launched. */
  pid: number;
  clusterName: string;
}

async function startWithCache(cache: string, port?: number): Promise<CacheStart> {
  const result = await estracesWithCache(cache, ['engine', 'start', '--kind', 'opensearch', ...(port === undefined ? [] : ['--port', String(port)])]);
  if (result.code !== 0) {
    throw new Error(`estraces engine start with the cache ${cache} failed:\n${result.stderr}`);
  }
  const url = result.stdout.trim();
  const started = Number(new URL(url).port);
  // The record in this cache (and in no other) names the JVM the start launched.
  const record = JSON.parse(readFileSync(join(cache, 'run', `opensearch-${started}.json`), 'utf8')) as RunningEngine;
  return { cache, url, port: started, pid: record.pid, clusterName: record.clusterName ?? '' };
}

async function nodesProcess(url: string, path: string): Promise<NodesProcessBody> {
  return (await (await engineGet(url, `${path}?filter_path=cluster_name,nodes.*.name,nodes.*.process.id`)).json()) as NodesProcessBody;
}

/** Status of GET index/_doc/id: 200 where the document is, 404 where neither it nor its index is. */
async function documentStatus(url: string, index: string, id: string): Promise<number> {
  const response = await engineGet(url, `${index}/_doc/${id}`);
  await response.arrayBuffer();
  return response.status;
}

// One engine kind, the default, started here four times in all: the isolation concerns the runner,
// which is the same for every kind (the discovery settings of each are pinned by the unit tests).
describe('estraces engine start with two cache directories on one machine', () => {
  const caches = [mkdtempSync(join(tmpdir(), 'estraces-cache-a-')), mkdtempSync(join(tmpdir(), 'estraces-cache-b-'))];
  const index = `isolation-${Date.now().toString(36)}`;
  let a: CacheStart | undefined;
  let b: CacheStart | undefined;

  function both(): [CacheStart, CacheStart] {
    if (!a || !b) {
      throw new Error('the two engines did not start (see the error of beforeAll)');
    }
    return [a, b];
  }

  beforeAll(async () => {
    // A copy of the resolved classpath spares each cache a Maven run; the jars stay in ~/.m2.
    if (isResolved('opensearch', '2.19.1')) {
      for (const cache of caches) {
        cpSync(join(cacheDir(), 'engines', 'opensearch-2.19.1.0'), join(cache, 'engines', 'opensearch-2.19.1.0'), { recursive: true });
      }
    }
    // One after the other, the runner choosing each port: B's runner knows nothing of A's record.
    a = await startWithCache(caches[0]);
    b = await startWithCache(caches[1]);
  });

  afterAll(async () => {
    // By port, each in its own cache: never an engine this test did not start.
    for (const start of [a, b]) {
      if (start) {
        await estracesWithCache(start.cache, ['engine', 'stop', '--kind', 'opensearch', '--port', String(start.port)]);
      }
    }
    caches.forEach((cache) => rmSync(cache, { recursive: true, force: true }));
  });

  it('gives two clusters of different unique names on different ports, each served by the process its start launched', async () => {
    const starts = both();
    expect(starts[0].port).not.toBe(starts[1].port);
    expect(starts[0].clusterName).not.toBe(starts[1].clusterName);
    for (const start of starts) {
      expect(start.clusterName).toMatch(/^estraces-opensearch-\d+-[0-9a-z]+-[0-9a-f]{6}$/);
      const local = await nodesProcess(start.url, '_nodes/_local/process');
      expect(local.cluster_name).toBe(start.clusterName);
      expect(Object.values(local.nodes ?? {}).map((node) => node.process?.id)).toEqual([start.pid]);
      // The whole cluster is that one node: nothing of the other start, nor of anybody else, joined.
      expect(Object.values((await nodesProcess(start.url, '_nodes/process')).nodes ?? {}).map((node) => node.process?.id)).toEqual([start.pid]);
      // And the pid is the JVM this cache's start launched, on this cache's data.
      expect(readFileSync(`/proc/${start.pid}/cmdline`, 'utf8')).toContain(join(start.cache, 'data', `opensearch-2.19.1-${start.port}`, 'cluster'));
    }
  });

  it('keeps a document written into one cluster out of the other', async () => {
    const [first, second] = both();
    const written = await engineRequest(first.url, `${index}/_doc/a?refresh=true`, 'PUT', { written: 'into A' });
    expect(written.status).toBe(201);
    const other = await engineRequest(second.url, `${index}/_doc/b?refresh=true`, 'PUT', { written: 'into B' });
    expect(other.status).toBe(201);
    expect(await documentStatus(first.url, index, 'a')).toBe(200);
    expect(await documentStatus(second.url, index, 'a')).toBe(404);
    expect(await documentStatus(second.url, index, 'b')).toBe(200);
    expect(await documentStatus(first.url, index, 'b')).toBe(404);
  });

  it('says on stop where the data stays, and the next start with the same cache and port finds it again', async () => {
    const [first] = both();
    const dataDir = join(first.cache, 'data', `opensearch-2.19.1-${first.port}`, 'cluster');
    const stopped = await estracesWithCache(first.cache, ['engine', 'stop', '--kind', 'opensearch', '--port', String(first.port)]);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toEqual({ stopped: [{ kind: 'opensearch', url: first.url, pid: first.pid, dataDir }] });
    expect(stopped.stderr).toBe(
      `opensearch on ${first.url} stopped; its data stays in ${dataDir}: the next 'estraces engine start --kind opensearch ` +
        `--port ${first.port}' with the same cache directory (${first.cache}) reuses it; delete that directory to start empty\n`
    );
    expect(await exitedWithin(first.pid, 30_000)).toBe(true);
    a = await startWithCache(first.cache, first.port);
    expect(a.pid).not.toBe(first.pid);
    expect(a.clusterName).not.toBe(first.clusterName);
    expect(await documentStatus(a.url, index, 'a')).toBe(200);
  });
});
