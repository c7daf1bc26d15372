import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type RunningEngine, startEngine } from '../../src/cli/engineRunner';
import { describeEngine, type TestEngine } from './engines';

/**
 * Start one OpenSearch 2.19.1 and one Elasticsearch 7.10.2 (or use ESTRACES_TEST_URLS), and tell
 * the test files where they are through the environment, which jest workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const given = (process.env.ESTRACES_TEST_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  let started: RunningEngine[] = [];
  let urls = given;
  if (given.length === 0) {
    const base = mkdtempSync(join(tmpdir(), 'estraces-test-'));
    process.env.ESTRACES_TEST_BASE = base;
    started = await Promise.all(
      (['opensearch', 'elasticsearch'] as const).map((kind) => startEngine({ kind, basePath: join(base, kind), heapMb: 1024 }))
    );
    urls = started.map((engine) => engine.url);
  }
  const engines: TestEngine[] = await Promise.all(urls.map(describeEngine));
  for (const engine of engines) {
    process.stdout.write(`\nintegration suite: ${engine.label} at ${engine.url} (${given.length === 0 ? 'started by the test setup' : 'from ESTRACES_TEST_URLS'})`);
  }
  process.stdout.write('\n');
  process.env.ESTRACES_TEST_ENGINES = JSON.stringify(engines);
  process.env.ESTRACES_TEST_STARTED = JSON.stringify(started);
}
