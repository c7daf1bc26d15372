/**
 * The command line built ahead of time (build/cli, by `npm run build` or `prepare`) is what
 * `estraces` starts while it is current, and it answers exactly as the TypeScript sources do:
 * the same output, errors and exit codes, for a command with no engine, a trace file, an engine
 * read and a bad input. The rest of the suite runs the build, as users do.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { Script } from 'node:vm';

import { BUILT_CLI, builtCliIsCurrent } from '../../bin/launch';
import { generateDemoTraces } from '../../src/cli/sdkData';
import { testEngines } from './engines';
import { type CliResult, deleteMatching, runCli, uniqueIndex, writeTempJson } from './helpers';

const ROOT = resolve(__dirname, '../..');
const demo = generateDemoTraces({ traces: 3, seed: 71 });
const file = writeTempJson('cli-build-traces.json', demo.request);
const engine = testEngines()[0];
const index = uniqueIndex('cli-build');

/** The same command run from the build (as `estraces` starts) and from the sources. */
async function bothWays(args: string[]): Promise<{ built: CliResult; sources: CliResult }> {
  return { built: await runCli(args), sources: await runCli(args, { ESTRACES_FROM_SOURCES: '1' }) };
}

beforeAll(async () => {
  const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', file]);
  expect(ingested.code).toBe(0);
});

afterAll(async () => {
  await deleteMatching(engine.url, `${index}*`);
});

it('is current, so estraces starts the build (npm run build:cli makes it; npm ci runs that as prepare)', () => {
  expect(builtCliIsCurrent(ROOT)).toBe(true);
});

it("keeps V8's code cache of the build beside it, which V8 accepts, and answers the same once it is there", async () => {
  const first = await runCli(['--help']);
  const bundle = resolve(ROOT, BUILT_CLI);
  const { size, mtimeMs } = statSync(bundle);
  const cache = `${bundle}.${size}-${Math.round(mtimeMs)}.v8cache`;
  expect(readdirSync(dirname(bundle)).filter((name) => name.endsWith('.v8cache'))).toEqual([basename(cache)]);
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: readFileSync(cache) });
  expect(script.cachedDataRejected).toBe(false);
  expect(await runCli(['--help'])).toEqual(first);
});

it('prints the same usage', async () => {
  const { built, sources } = await bothWays(['--help']);
  expect(built.stdout).toContain('usage: estraces <command>');
  expect(built).toEqual(sources);
});

it('prints the same trace from a trace file', async () => {
  const { built, sources } = await bothWays(['trace', '--file', file, demo.traceIds[1]]);
  expect(JSON.parse(built.stdout).spans.length).toBeGreaterThan(0);
  expect(built).toEqual(sources);
});

it(`prints the same trace read from ${engine.label}`, async () => {
  const { built, sources } = await bothWays(['trace', demo.traceIds[0], '--url', engine.url, '--index', `${index}*`]);
  expect(built.code).toBe(0);
  expect(JSON.parse(built.stdout).spans.length).toBeGreaterThan(0);
  expect(built).toEqual(sources);
});

it('says the same of a malformed trace id, with the same exit code', async () => {
  const { built, sources } = await bothWays(['trace', 'not-a-trace-id', '--url', engine.url, '--index', `${index}*`]);
  expect(built.code).toBe(1);
  expect(built.stderr).toMatch(/^estraces: /);
  expect(built).toEqual(sources);
});
