/**
 * Zipkin server 3.6.1 (`io.zipkin:zipkin-server`, classifier `exec`, from Maven Central) writing
 * into a test engine: the jar is copied once into the producer cache by Maven, then each run starts
 * it on a free port with its own index prefix (`ES_INDEX`), waits for `/health` and stops it.
 * Variable names are those of zipkin-server-shared.yml at 3.6.1.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  freePort,
  makeOnce,
  type ProducerProcess,
  producerCacheDir,
  runLogged,
  startProcess,
  waitFor,
} from '../../../src/cli/producerProcess';

export const ZIPKIN_VERSION = '3.6.1';
const ARTIFACT = `io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`;
const JAR = `zipkin-server-${ZIPKIN_VERSION}-exec.jar`;
const START_TIMEOUT_MS = 180_000;
const LOCK_TIMEOUT_MS = 15 * 60_000;

export interface RunningZipkin {
  /** e.g. http://127.0.0.1:41234, without a trailing slash. */
  url: string;
  /** The ES_INDEX prefix: spans go to `<prefix>:span-YYYY-MM-DD`. */
  indexPrefix: string;
  process: ProducerProcess;
  stop(): Promise<void>;
}

/**
 * The exec jar in `<cache>/producers/zipkin-3.6.1/`, copied there by `mvn dependency:copy` the first
 * time (`dependency:get` fails on a transitive pom; the self-contained exec jar needs none). The
 * marker, written after the jar is in place, tells a complete copy from an interrupted one.
 */
export async function resolveZipkinJar(log: (line: string) => void = () => undefined): Promise<string> {
  const dir = producerCacheDir('zipkin', ZIPKIN_VERSION);
  const jar = join(dir, JAR);
  const marker = join(dir, 'resolved.json');
  const make = async () => {
    const staging = join(dir, `staging-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    log(`copying ${ARTIFACT} from Maven into ${dir}`);
    await runLogged(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${staging}`],
      dir,
      join(dir, 'resolve.log')
    );
    renameSync(join(staging, JAR), jar);
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(marker, JSON.stringify({ artifact: ARTIFACT }) + '\n');
  };
  await makeOnce({ dir, done: () => existsSync(marker) && existsSync(jar), make, log, lockTimeoutMs: LOCK_TIMEOUT_MS });
  return jar;
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) {
    return false;
  }
  const body = (await response.json()) as { status?: string };
  return body.status === 'UP';
}

/** Zipkin server against `engineUrl`, writing `<indexPrefix>:span-*`; resolves once `/health` is UP. */
export async function startZipkin(options: {
  engineUrl: string;
  indexPrefix: string;
  log?: (line: string) => void;
}): Promise<RunningZipkin> {
  const jar = await resolveZipkinJar(options.log);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(producerCacheDir('zipkin', ZIPKIN_VERSION), 'logs', `${options.indexPrefix}.log`);
  const child = startProcess({
    name: 'zipkin-server',
    command: 'java',
    args: ['-Xmx512m', '-jar', jar],
    logFile,
    env: {
      STORAGE_TYPE: 'elasticsearch',
      ES_HOSTS: options.engineUrl,
      ES_INDEX: options.indexPrefix,
      ES_INDEX_SHARDS: '1',
      ES_INDEX_REPLICAS: '0',
      QUERY_PORT: String(port),
      // Self-tracing would add spans of Zipkin's own to the indices under test.
      SELF_TRACING_ENABLED: 'false',
    },
  });
  try {
    await waitFor(() => healthy(url), `Zipkin server on ${url} to report UP`, {
      timeoutMs: START_TIMEOUT_MS,
      process: child,
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url, indexPrefix: options.indexPrefix, process: child, stop: () => child.stop() };
}
