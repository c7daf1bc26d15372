/**
 * Running real producers (Jaeger v2, the OpenTelemetry Collector, Zipkin server) beside the
 * engines, for the integration suite and the bench: free ports, child processes with their output
 * in a log file, polling until they answer, and Go tools built once per version into the user's
 * cache.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

import { cacheDir } from './engineRunner';

export interface ProducerProcess {
  /** SIGTERM to the process group, SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
  readonly exited: boolean;
  /** The last lines of the process's log file, for error messages. */
  logTail(lines?: number): string;
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  logFile: string;
}

const STOP_GRACE_MS = 15_000;
const POLL_MS = 250;

/** A port that was free on 127.0.0.1 a moment ago (bound to port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}

function tailOf(logFile: string, lines: number): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${logFile})`;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    // Spawned detached, the child leads its own process group: wrappers take their children along.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

export function startProcess(options: StartProcessOptions): ProducerProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = openSync(options.logFile, 'w');
  let exited = false;
  let exitDescription = '';
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ['ignore', out, out],
    });
  } finally {
    closeSync(out);
  }
  const exit = new Promise<void>((resolve) => {
    const done = (description: string) => {
      if (!exited) {
        exited = true;
        exitDescription = description;
      }
      resolve();
    };
    child.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once('error', (error) => done(`could not start ${options.command}: ${error.message}`));
  });

  return {
    get exited() {
      return exited;
    },
    logTail(lines = 40) {
      const status = exited ? `${options.name} ended (${exitDescription}). ` : '';
      return `${status}Last lines of ${options.logFile}:\n${tailOf(options.logFile, lines)}`;
    },
    async stop() {
      if (exited) {
        return;
      }
      signalGroup(child, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS)));
      const outcome = await Promise.race([exit.then(() => 'exited' as const), grace]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        signalGroup(child, 'SIGKILL');
        await exit;
      }
    },
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns true. Fails at once, with the log tail, when the process it waits
 * for has exited; the timeout is only an upper bound for a process that hangs.
 */
export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  options: { timeoutMs: number; process?: ProducerProcess }
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await check()) {
        return;
      }
      lastError = '';
    } catch (error) {
      lastError = (error as Error).message;
    }
    const because = lastError ? ` (last error: ${lastError})` : '';
    if (options.process?.exited) {
      throw new Error(`gave up waiting for ${what}: ${options.process.logTail()}${because}`);
    }
    if (Date.now() >= deadline) {
      const tail = options.process ? `\n${options.process.logTail()}` : '';
      throw new Error(`${what} did not happen within ${options.timeoutMs} ms${because}${tail}`);
    }
    await delay(POLL_MS);
  }
}

export function producerCacheDir(name: string, version: string): string {
  return join(cacheDir(), 'producers', `${name}-${version}`);
}

function whyNotRunnable(command: string, args: string[], hint: string): string | undefined {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 60_000 });
    return undefined;
  } catch (error) {
    return `\`${command} ${args.join(' ')}\` failed (${(error as Error).message.split('\n')[0]}): ${hint}`;
  }
}

/** Why Go tools cannot be built here, or undefined when `go` runs. */
export function goAvailable(): string | undefined {
  return whyNotRunnable('go', ['version'], 'install Go 1.24 or later and put `go` on the PATH');
}

/** Why Java programs cannot run here, or undefined when `java` runs. */
export function javaAvailable(): string | undefined {
  return whyNotRunnable('java', ['-version'], 'install a JDK (17 or later) and put `java` on the PATH');
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `lockFile` (created exclusively, holding our pid). A lock whose holder has died is stale
 * and taken over; a live holder is waited for, up to `timeoutMs`.
 */
async function acquireLock(
  lockFile: string,
  timeoutMs: number,
  log: (line: string) => void = () => undefined
): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(lockFile, 'utf8').trim());
    } catch {
      continue; // Released between our attempt and the read.
    }
    if (!processAlive(holder)) {
      // An empty file may be a lock being written this instant: only a named dead holder is stale.
      if (Number.isInteger(holder) && holder > 0) {
        log(`removing the stale build lock ${lockFile} of process ${holder}`);
        rmSync(lockFile, { force: true });
        continue;
      }
    }
    if (!announced) {
      log(`waiting for process ${holder}, which holds ${lockFile}`);
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new Error(`process ${holder} held ${lockFile} for more than ${timeoutMs} ms`);
    }
    await delay(1000);
  }
}

/** Runs a command to completion with its output appended to `logFile`; a failure names the log's last lines. */
export function runLogged(
  command: string,
  args: string[],
  cwd: string,
  logFile: string,
  env: Record<string, string> = {}
): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = openSync(logFile, 'a');
    writeFileSync(out, `$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
    closeSync(out);
    child.once('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) {
        resolve();
      } else {
        const status = signal ? `was killed by ${signal}` : `ended with exit code ${code}`;
        reject(
          new Error(`\`${command} ${args.join(' ')}\` ${status}; last lines of ${logFile}:\n${tailOf(logFile, 30)}`)
        );
      }
    });
  });
}

/** A build of Jaeger takes about 15 minutes cold on two busy cores; a lock held four times as long is not a build. */
export const BUILD_LOCK_TIMEOUT_MS = 60 * 60_000;

/**
 * Makes something in the producer cache once: returns at once when `done()` says it is there, else
 * takes the lock in `dir` (a live holder is waited for), checks again (the holder may have made it
 * meanwhile) and runs `make`, which writes its marker last so an interrupted run is redone.
 */
export async function makeOnce(options: {
  dir: string;
  done: () => boolean;
  make: () => Promise<void>;
  log: (line: string) => void;
  lockTimeoutMs?: number;
}): Promise<void> {
  if (options.done()) {
    return;
  }
  mkdirSync(options.dir, { recursive: true });
  const release = await acquireLock(
    join(options.dir, 'build.lock'),
    options.lockTimeoutMs ?? BUILD_LOCK_TIMEOUT_MS,
    options.log
  );
  try {
    if (!options.done()) {
      await options.make();
    }
  } finally {
    release();
  }
}

/**
 * Builds the Go program `pkg` (a package of `module`) at `version` into the producer cache, once
 * per version: a scratch module records it as a tool dependency (`go get -tool`), then `go build`.
 * A lock file keeps two test processes from building at once; the marker file, written last, means
 * the binary is complete, so a build interrupted half-way is redone rather than used.
 */
export async function buildGoTool(options: {
  name: string;
  version: string;
  module: string;
  pkg: string;
  log: (line: string) => void;
}): Promise<string> {
  const dir = producerCacheDir(options.name, options.version);
  const binary = join(dir, options.name);
  const marker = join(dir, 'built.json');
  const make = async () => {
    const moduleDir = join(dir, 'module');
    const logFile = join(dir, 'build.log');
    rmSync(moduleDir, { recursive: true, force: true });
    mkdirSync(moduleDir, { recursive: true });
    writeFileSync(logFile, '');
    options.log(`building ${options.pkg}@${options.version} into ${binary} (log: ${logFile})`);
    await runLogged('go', ['mod', 'init', `estraces.test/producers/${options.name}`], moduleDir, logFile);
    await runLogged('go', ['get', '-tool', `${options.pkg}@${options.version}`], moduleDir, logFile);
    const resolved = execFileSync('go', ['list', '-m', '-f', '{{.Version}}', options.module], {
      cwd: moduleDir,
      encoding: 'utf8',
    }).trim();
    if (resolved !== options.version) {
      throw new Error(`the scratch module resolved ${options.module} ${resolved}, not ${options.version}`);
    }
    const partial = `${binary}.partial`;
    rmSync(partial, { force: true });
    await runLogged('go', ['build', '-o', partial, options.pkg], moduleDir, logFile);
    renameSync(partial, binary);
    writeFileSync(
      marker,
      JSON.stringify({ module: options.module, pkg: options.pkg, version: options.version }) + '\n'
    );
    options.log(`built ${binary}`);
  };
  await makeOnce({ dir, done: () => existsSync(marker) && existsSync(binary), make, log: options.log });
  return binary;
}
