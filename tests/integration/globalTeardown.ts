import { rmSync } from 'node:fs';

import { type RunningEngine, stopRunning } from '../../src/cli/engineRunner';

/**
 * Stop exactly the engines the global setup started, by their recorded pid (never every engine
 * of a kind: others may be running on this machine), and remove their data.
 */
export default async function globalTeardown(): Promise<void> {
  const started = JSON.parse(process.env.ESTRACES_TEST_STARTED ?? '[]') as RunningEngine[];
  const results = await Promise.allSettled(started.map(stopRunning));
  if (process.env.ESTRACES_TEST_BASE) {
    rmSync(process.env.ESTRACES_TEST_BASE, { recursive: true, force: true });
  }
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  if (failures.length > 0) {
    throw new Error(`could not stop the integration engines:\n${failures.join('\n')}`);
  }
}
