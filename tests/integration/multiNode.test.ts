/**
 * Several nodes and shards give the same answers as one: a three-node OpenSearch cluster holds the
 * search fixture in indices of three shards with a replica each, the single-node test engine holds
 * it in one shard, and search results, summaries, discovery and traces are compared. Terms
 * aggregations are approximate across shards unless sized or ordered with care; this pins that
 * ours are.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type RunningEngine, startEngine, stopRunning } from '../../src/cli/engineRunner';
import { findOperations, findServices } from '../../src/query/discovery';
import { resolvePattern } from '../../src/query/resolve';
import { parseSearchInput, type SearchInput, searchTraces } from '../../src/query/search';
import { runTraceQuery } from '../../src/query/traceQuery';
import { testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';
import { buildSearchFixture, FIXTURE_START_MS, fixtureToOtlp } from './searchFixture';

const fixture = buildSearchFixture(400, 10);
const file = writeTempJson('multi-node.json', fixtureToOtlp(fixture));
const window = { fromNs: BigInt(FIXTURE_START_MS - 3_600_000) * BigInt(1_000_000), toNs: BigInt(FIXTURE_START_MS + 6 * 3_600_000) * BigInt(1_000_000) };
const SEARCHES: Array<[string, SearchInput]> = [
  ['recent 10', { limit: 10 }],
  ['slowest 10', { sort: 'slowest', limit: 10 }],
  ['every trace, recent', { limit: 1000 }],
  ['service, slowest', { service: 'checkout', sort: 'slowest', limit: 50 }],
  ['status error', { status: 'error', limit: 100 }],
  ['attribute and duration', { tags: 'app.tier=gold', minDuration: '100ms', limit: 100 }],
];

describe('a three-node cluster with sharded, replicated indices', () => {
  const single = testEngines().find((engine) => engine.distribution === 'opensearch') ?? testEngines()[0];
  let cluster: RunningEngine;
  const schemas = ['otel', 'jaeger'] as const;
  const indices = Object.fromEntries(schemas.map((schema) => [schema, uniqueIndex(`multi-${schema}`)]));

  beforeAll(async () => {
    cluster = await startEngine({ kind: 'opensearch', nodes: 3, heapMb: 1024, basePath: join(mkdtempSync(join(tmpdir(), 'estraces-multi-')), 'cluster') });
    for (const schema of schemas) {
      const sharded = await runCli(['ingest', '--url', cluster.url, '--index', indices[schema], '--schema', schema, '--shards', '3', '--replicas', '1', file]);
      expect(sharded.stderr).toBe('');
      const plain = await runCli(['ingest', '--url', single.url, '--index', indices[schema], '--schema', schema, file]);
      expect(plain.stderr).toBe('');
    }
  }, 300_000);

  afterAll(async () => {
    if (cluster) {
      await stopRunning(cluster);
    }
  });

  it('runs three nodes and spreads each index over three shards with a replica', async () => {
    const health = await nodeClient(cluster.url).clusterHealth();
    expect(health.number_of_nodes).toBe(3);
    const settings = (await (await fetch(`${cluster.url}/${indices.otel}/_settings`)).json()) as Record<string, { settings: { index: { number_of_shards: string; number_of_replicas: string } } }>;
    expect(settings[indices.otel].settings.index).toMatchObject({ number_of_shards: '3', number_of_replicas: '1' });
  });

  describe.each(schemas.map((schema) => [schema]))('%s', (schema) => {
    it.each(SEARCHES)('search %s is the same as on one node', async (_name, input) => {
      const request = parseSearchInput(input);
      const answers = await Promise.all(
        [cluster.url, single.url].map(async (url) => {
          const client = nodeClient(url);
          const resolution = await resolvePattern(client, `${indices[schema]}*`, 'auto');
          return searchTraces(client, { resolution, window, request });
        })
      );
      expect(answers[0].traces.length).toBeGreaterThan(0);
      expect(answers[0].traces).toEqual(answers[1].traces);
    });

    it('lists the same services and operations, and reads the same traces', async () => {
      const [clustered, plain] = await Promise.all(
        [cluster.url, single.url].map(async (url) => {
          const client = nodeClient(url);
          const resolution = await resolvePattern(client, `${indices[schema]}*`, 'auto');
          const traceIds = [...new Set(fixture.map((span) => span.traceId))].slice(0, 5);
          return {
            services: await findServices(client, { resolution, window }),
            operations: await findOperations(client, { resolution, window, service: 'checkout' }),
            traces: await Promise.all(traceIds.map(async (traceId) => (await runTraceQuery(client, { traceId, resolution, maxSpans: 1000 })).rows)),
          };
        })
      );
      expect(clustered.services.values.length).toBeGreaterThan(0);
      expect(clustered).toEqual(plain);
    });
  });
});
