/**
 * Services and operations for pickers and variables, for every schema on every engine, against the
 * source. The core is called in-process; the command line's `services` is run once per schema
 * (schemaMatrix.test.ts runs its `ingest` for every schema).
 */
import { generateDemoTraces } from '../../src/cli/sdkData';
import { spansFromOtlp } from '../../src/proto/otlp';
import { findSchema } from '../../src/proto/registry';
import { findOperations, findServices } from '../../src/query/discovery';
import { ingest } from '../../src/query/ingest';
import { resolvePattern } from '../../src/query/resolve';
import { SCHEMA_NAMES } from '../../src/types';
import { ingestNeeds, itWhere, testEngines } from './engines';
import { nodeClient, runCli, uniqueIndex } from './helpers';

const demo = generateDemoTraces({ traces: 6, seed: 31 });
const spans = spansFromOtlp(demo.request);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b));
const services = sorted(spans.map((span) => span.serviceName));
const checkoutOperations = sorted(spans.filter((span) => span.serviceName === 'checkout').map((span) => span.name));
/** Zipkin stores span and service names lower-cased. */
const asStored = (schema: string, names: string[]) => (schema === 'zipkin' ? sorted(names.map((name) => name.toLowerCase())) : names);
const NS_PER_MS = BigInt(1_000_000);
const firstMs = Number(spans.reduce((min, span) => (span.startTimeUnixNano < min ? span.startTimeUnixNano : min), spans[0].startTimeUnixNano) / BigInt(1_000_000));

async function list(args: string[]): Promise<string[]> {
  const result = await runCli(args);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  for (const schema of SCHEMA_NAMES) {
    itWhere(engine, ingestNeeds(schema))(`lists the services and the operations of a service for ${schema}`, async () => {
      const index = uniqueIndex(`disc-${schema}`);
      const client = nodeClient(engine.url);
      expect(await ingest(client, { schema: findSchema(schema)!, index, spans, logs: [] })).toMatchObject({ spans: spans.length, failed: 0 });
      expect(await list(['services', '--url', engine.url, '--index', `${index}*`])).toEqual(asStored(schema, services));
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      expect((await findOperations(client, { resolution, service: 'checkout' })).values).toEqual(asStored(schema, checkoutOperations));
      const before = { fromNs: BigInt(firstMs - 7_200_000) * NS_PER_MS, toNs: BigInt(firstMs - 3_600_000) * NS_PER_MS };
      expect((await findServices(client, { resolution, window: before })).values).toEqual([]);
      expect((await findOperations(client, { resolution, service: 'no such service' })).values).toEqual([]);
    });
  }
});
