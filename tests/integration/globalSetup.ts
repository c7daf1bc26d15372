import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type EngineKind, isResolved, type RunningEngine, startEngine, stopRunning } from '../../src/cli/engineRunner';
import { describeEngine, type TestEngine } from './engines';
import { prebuildProducers } from './producers/prebuild';

/**
 * The engines the suite runs on when ESTRACES_TEST_URLS names none: the oldest and newest
 * family of each kind that run here, all started at once and shared by every test file.
 */
const TEST_ENGINES: Array<{ kind: EngineKind; version: string }> = [
  { kind: 'opensearch', version: '2.19.1' },
  { kind: 'opensearch', version: '3.3.2' },
  { kind: 'elasticsearch', version: '7.10.2' },
  { kind: 'elasticsearch', version: '8.19.0' },
];

function urlsFromEnvironment(): string[] {
  return (process.env.ESTRACES_TEST_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

interface Started {
  engine: RunningEngine;
  seconds: number;
}

async function startTimed(kind: EngineKind, version: string, base: string): Promise<Started> {
  const began = Date.now();
  const engine = await startEngine({ kind, version, basePath: join(base, `${kind}-${version}`) });
  return { engine, seconds: (Date.now() - began) / 1000 };
}

/**
 * Every engine at once (each takes 10-40 s). If one fails, the others are stopped again: jest
 * does not run the global teardown after a failed setup.
 */
async function startTestEngines(base: string): Promise<Started[]> {
  for (const { kind, version } of TEST_ENGINES.filter((engine) => !isResolved(engine.kind, engine.version))) {
    process.stdout.write(`integration suite: resolving ${kind} ${version} through Maven (the first run downloads or builds it)\n`);
  }
  const results = await Promise.allSettled(TEST_ENGINES.map(({ kind, version }) => startTimed(kind, version, base)));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (failures.length > 0) {
    await Promise.allSettled(started.map(({ engine }) => stopRunning(engine)));
    rmSync(base, { recursive: true, force: true });
    throw new Error(`the integration engines did not start:\n${failures.join('\n')}`);
  }
  return started;
}

async function describeAll(urls: string[], started: Started[], base: string | undefined): Promise<TestEngine[]> {
  try {
    return await Promise.all(urls.map(describeEngine));
  } catch (error) {
    await Promise.allSettled(started.map(({ engine }) => stopRunning(engine)));
    if (base) {
      rmSync(base, { recursive: true, force: true });
    }
    throw error;
  }
}

/**
 * Start the test engines (or use the clusters in ESTRACES_TEST_URLS) and tell
 * the test files about them through the environment, which jest's workers inherit.
 */
export default async function globalSetup(globalConfig: { testPathPattern?: string }): Promise<void> {
  // Only when the producer suites are in this run. Not awaited: the builds go on while the engine
  // suites run, and the producer suites wait for them.
  const pattern = globalConfig.testPathPattern ?? '';
  if (pattern === '' || /producer/i.test(pattern)) {
    void prebuildProducers((line) => process.stdout.write(`integration suite (producers): ${line}\n`));
  }
  const given = urlsFromEnvironment();
  let started: Started[] = [];
  let base: string | undefined;
  if (given.length === 0) {
    base = join(tmpdir(), `estraces-test-${process.pid}`);
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    process.env.ESTRACES_TEST_BASE = base;
    started = await startTestEngines(base);
  }
  const urls = given.length > 0 ? given : started.map(({ engine }) => engine.url);
  const engines = await describeAll(urls, started, base);
  engines.forEach((engine, i) => {
    const origin =
      given.length > 0 ? 'from ESTRACES_TEST_URLS' : `started by the test setup in ${started[i].seconds.toFixed(1)} s`;
    process.stdout.write(`${i === 0 ? '\n' : ''}integration suite: ${engine.label} at ${engine.url} (${origin})\n`);
  });
  process.env.ESTRACES_TEST_ENGINES = JSON.stringify(engines);
  process.env.ESTRACES_TEST_STARTED = JSON.stringify(started.map(({ engine }) => engine));
}
