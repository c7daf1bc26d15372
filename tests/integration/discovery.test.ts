/** Services and operations for pickers and variables, for every schema on both engines, against the source. */
import { generateDemoTraces } from '../../src/cli/sdkData';
import { spansFromOtlp } from '../../src/proto/otlp';
import { SCHEMA_NAMES } from '../../src/types';
import { ingestNeeds, itWhere, testEngines } from './engines';
import { runCli, uniqueIndex, writeTempJson } from './helpers';

const demo = generateDemoTraces({ traces: 6, seed: 31 });
const file = writeTempJson('discovery.json', demo.request);
const spans = spansFromOtlp(demo.request);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b));
const services = sorted(spans.map((span) => span.serviceName));
const checkoutOperations = sorted(spans.filter((span) => span.serviceName === 'checkout').map((span) => span.name));
/** Zipkin stores span and service names lower-cased. */
const asStored = (schema: string, names: string[]) => (schema === 'zipkin' ? sorted(names.map((name) => name.toLowerCase())) : names);
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
      expect((await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, file])).code).toBe(0);
      expect(await list(['services', '--url', engine.url, '--index', `${index}*`])).toEqual(asStored(schema, services));
      expect(await list(['operations', '--url', engine.url, '--index', `${index}*`, '--service', 'checkout'])).toEqual(asStored(schema, checkoutOperations));
      expect(await list(['services', '--url', engine.url, '--index', `${index}*`, '--from', String(firstMs - 7_200_000), '--to', String(firstMs - 3_600_000)])).toEqual([]);
      expect(await list(['operations', '--url', engine.url, '--index', `${index}*`, '--service', 'no such service'])).toEqual([]);
    });
  }
});
