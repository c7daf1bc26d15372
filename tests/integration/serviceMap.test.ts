/**
 * `estraces servicemap` against the map computed in the test from the source spans, on every
 * schema and engine: services with their entry spans' requests and errors (exact) and p50/p95 (the
 * engine's TDigest: within a rank of the exact value, which it is for sets this small), virtual
 * peers, and edges with calls, errors and exact percentiles. Then the sample: with fewer spans
 * allowed than the range holds, the edges are those of the traces the stated share keeps.
 */
import { resolvePattern } from '../../src/query/resolve';
import { serviceMap } from '../../src/query/serviceMap';
import { itWhere, ingestNeeds, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';
import { buildMapFixture, MAP_WINDOW, type MapSpan, mapRequest, mapTruth, percentileOf, type TruthNode } from './serviceMapFixture';

const SCHEMAS = ['otel', 'otel-raw', 'ecs', 'jaeger', 'data-prepper', 'elastic-apm', 'zipkin', 'bklog', 'ss4o', 'bklog-log'];
/** Layouts storing neither a duration nor an end: no percentile anywhere. */
const NO_DURATION = ['ecs'];
/** Layouts storing no duration field: services' percentiles (an aggregation) are not computed. */
const NO_DURATION_FIELD = ['ecs', 'ss4o'];
/** Layouts keeping no span kind: a service's requests are its roots. */
const NO_KIND = ['bklog-log'];

const NS_PER_MS = BigInt(1_000_000);
const fixture = buildMapFixture();
const file = writeTempJson('service-map.json', mapRequest(fixture));

interface CliMap {
  nodes: Array<{ id: string; name: string; kind: string; requests: number; errors: number; p50Ms: number | null; p95Ms: number | null }>;
  edges: Array<{ source: string; target: string; calls: number; errors: number; p50Ms: number | null; p95Ms: number | null }>;
  warnings: string[];
}

async function cliMap(args: string[]): Promise<CliMap> {
  const run = await runCli(['servicemap', ...args, '--from', String(MAP_WINDOW.fromMs), '--to', String(MAP_WINDOW.toMs)]);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as CliMap;
}

/** Between the values a rank either side of the exact percentile's neighbours. */
function expectNearRank(value: number | null, durations: number[], percent: number) {
  const sorted = [...durations].sort((a, b) => a - b);
  const rank = (percent / 100) * (sorted.length - 1);
  expect(value).not.toBeNull();
  expect(value!).toBeGreaterThanOrEqual(sorted[Math.max(0, Math.floor(rank) - 1)]);
  expect(value!).toBeLessThanOrEqual(sorted[Math.min(sorted.length - 1, Math.ceil(rank) + 1)]);
}

function truthFor(schema: string, spans: MapSpan[], keep?: (traceId: string) => boolean) {
  // Without kinds, only roots enter a service: the truth is computed with every span's kind as the
  // layout keeps it (none), except that calls out are still recognised by their child in another service.
  const source = NO_KIND.includes(schema) ? spans.map((span) => ({ ...span, kind: span.kind === 'client' || span.kind === 'producer' ? span.kind : ('internal' as const) })) : spans;
  return mapTruth(source, MAP_WINDOW.fromMs, MAP_WINDOW.toMs, keep);
}

function expectNodes(schema: string, map: CliMap, nodes: TruthNode[]) {
  const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(byId(map.nodes).map(({ id, kind, requests, errors }) => ({ id, kind, requests, errors }))).toEqual(nodes.map(({ id, kind, requests, errors }) => ({ id, kind, requests, errors })));
  for (const truth of nodes) {
    const node = map.nodes.find((candidate) => candidate.id === truth.id)!;
    expect(node.name).toBe(truth.kind === 'virtual' ? truth.id.slice('peer:'.length) : truth.id);
    if (truth.kind === 'service') {
      if (NO_DURATION_FIELD.includes(schema) || truth.requests === 0) {
        expect([node.p50Ms, node.p95Ms]).toEqual([null, null]);
      } else {
        expectNearRank(node.p50Ms, truth.durations, 50);
        expectNearRank(node.p95Ms, truth.durations, 95);
      }
    }
  }
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(SCHEMAS.map((schema) => [schema]))('%s', (schema) => {
    const index = uniqueIndex(`map-${schema}`);
    const client = nodeClient(engine.url);
    const stored = itWhere(engine, ingestNeeds(schema));

    beforeAll(async () => {
      if (ingestNeeds(schema).every((need) => !engine.lacks.includes(need))) {
        const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, file]);
        expect(ingested.code).toBe(0);
      }
    });

    stored('prints the services, peers and calls the source spans make, with their counts, errors and percentiles', async () => {
      const truth = truthFor(schema, fixture);
      const map = await cliMap(['--url', engine.url, '--index', `${index}*`]);
      expectNodes(schema, map, truth.nodes);
      const noDuration = NO_DURATION.includes(schema);
      const virtualPercentiles = (node: TruthNode) => (noDuration ? [null, null] : [50, 95].map((p) => round(percentileOf(node.durations, p))));
      for (const node of truth.nodes.filter((candidate) => candidate.kind === 'virtual')) {
        const printed = map.nodes.find((candidate) => candidate.id === node.id)!;
        expect([printed.p50Ms, printed.p95Ms]).toEqual(virtualPercentiles(node));
      }
      expect(map.edges).toEqual(truth.edges.map((edge) => ({ ...edge, p50Ms: noDuration ? null : round(edge.p50Ms), p95Ms: noDuration ? null : round(edge.p95Ms) })));
      const expected = [
        ...(NO_DURATION_FIELD.includes(schema) ? [/no stored duration field, so services' p50 and p95 are not computed/] : []),
        ...(schema === 'elastic-apm' ? [/services' p50 and p95 are those of 'transaction.duration.us' \('span.duration.us' not included\)/] : []),
        ...(NO_KIND.includes(schema) ? [/the bklog-log layout keeps no span kind, so a service's requests are its root spans only/] : []),
        new RegExp(`^${truth.orphans} span has its parent outside the range or never stored: its caller is not on the map$`),
        new RegExp(`^${truth.unnamed} client or producer spans reached no traced service and name no peer`),
        ...(noDuration ? [new RegExp(`^${truth.edges.reduce((sum, edge) => sum + edge.calls, 0)} calls without a stored duration are counted but not in the edges' percentiles$`)] : []),
      ];
      expect(map.warnings).toHaveLength(expected.length);
      expected.forEach((pattern, i) => expect(map.warnings[i]).toMatch(pattern));
      expect(truth.edges.length).toBeGreaterThanOrEqual(6);
      expect(truth.orphans).toBe(1);
    });

    if (schema === 'otel' || schema === 'jaeger' || schema === 'zipkin') {
      stored('pages the join with search_after when the spans do not fit one page, drawing the same edges', async () => {
        const resolution = await resolvePattern(client, `${index}*`, 'auto');
        const map = await serviceMap(client, { resolution, window: { fromNs: BigInt(MAP_WINDOW.fromMs) * NS_PER_MS, toNs: BigInt(MAP_WINDOW.toMs) * NS_PER_MS }, pageSize: 50 });
        const truth = truthFor(schema, fixture);
        expect(map.edges).toEqual(truth.edges.map((edge) => ({ ...edge, p50Ms: round(edge.p50Ms), p95Ms: round(edge.p95Ms) })));
        expect(truth.spans).toBeGreaterThan(50 * 10);
      });
    }

    if (schema === 'otel' || schema === 'jaeger') {
      stored('joins a stated sample of whole traces when the range holds more spans than allowed, keeping services exact', async () => {
        const full = truthFor(schema, fixture);
        const maxSpans = Math.floor(full.spans / 4);
        const map = await cliMap(['--url', engine.url, '--index', `${index}*`, '--max-spans', String(maxSpans)]);
        // The documented rule: the traces whose id ends, in its last two hex digits, below share x 256.
        const chosen = Math.floor((maxSpans / full.spans) * 256);
        const sampled = truthFor(schema, fixture, (traceId) => parseInt(traceId.slice(-2), 16) < chosen);
        expect(map.warnings[0]).toMatch(new RegExp(`^edges and peers from a sample of ${((chosen / 256) * 100).toPrecision(3)}% of the traces \\(${sampled.spans} of the range's ${full.spans} spans; more than the ${maxSpans} joined in full\\)`));
        expect(sampled.spans).toBeGreaterThan(0);
        expect(sampled.spans).toBeLessThan(full.spans);
        expect(map.edges).toEqual(sampled.edges.map((edge) => ({ ...edge, p50Ms: round(edge.p50Ms), p95Ms: round(edge.p95Ms) })));
        const services = full.nodes.filter((node) => node.kind === 'service');
        expect(map.nodes.filter((node) => node.kind === 'service').map(({ id, requests, errors }) => ({ id, requests, errors }))).toEqual(services.map(({ id, requests, errors }) => ({ id, requests, errors })));
      });
    }
  });
});

const round = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

