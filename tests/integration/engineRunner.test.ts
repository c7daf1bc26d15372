/**
 * The engines the suite runs against are real and healthy, and the runner that started them
 * reports, refuses, starts and stops engines as `estraces engine` promises.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import {
  cacheDir,
  engineStatus,
  type RunningEngine,
  startEngine,
  stopEngine,
  stopRunning,
} from '../../src/cli/engineRunner';
import { describeEngine, engineGet, testEngines } from './engines';
import { exitedWithin } from './helpers';

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
        `opensearch: HTTP port ${port} is already in use: choose another port, or give none to take the first free ones from 9201`
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
