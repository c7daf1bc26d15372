import { rmSync } from 'node:fs';

import { type RunningEngine, stopEngine } from '../../src/cli/engineRunner';

/** Stop exactly the engines the global setup started, and remove their data. */
export default async function globalTeardown(): Promise<void> {
  const started = JSON.parse(process.env.ESTRACES_TEST_STARTED ?? '[]') as RunningEngine[];
  await Promise.all(started.map((engine) => stopEngine({ kind: engine.kind, port: engine.port })));
  if (process.env.ESTRACES_TEST_BASE) {
    rmSync(process.env.ESTRACES_TEST_BASE, { recursive: true, force: true });
  }
}
