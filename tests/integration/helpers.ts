/**
 * What the integration tests share: running the real `estraces` command, a Node engine client,
 * and the expected trace rows computed from the OTLP source independently of any engine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import type { TraceKeyValuePair, TraceSpanRow } from '@grafana/data';

import { EngineClient } from '../../src/engine/client';
import { createNodeTransport } from '../../src/engine/nodeTransport';
import { spanToFrameRow } from '../../src/frames/traceRows';
import type { LogicalSpan } from '../../src/proto/model';
import { assembleTrace } from '../../src/proto/trace';

const BIN = resolve(__dirname, '../../bin/estraces.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `estraces ARGS` in a child process. `env` is added to the child's environment explicitly: jest's
 * `process.env` is a copy that child_process never sees.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Deletes the indices a pattern matches, by name: Elasticsearch 8 and later refuse wildcard deletes. */
export async function deleteMatching(url: string, pattern: string): Promise<void> {
  const client = nodeClient(url);
  const names = Object.keys(await client.mapping(pattern));
  if (names.length > 0) {
    await client.deleteIndex(names.join(','));
  }
}

export function nodeClient(url: string): EngineClient {
  return new EngineClient(createNodeTransport({ url, timeoutMs: 120_000 }));
}

export function writeTempJson(name: string, value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'estraces-it-'));
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** A fresh index name per test run, so reruns against the same cluster never collide. */
export function uniqueIndex(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

function byTime<T extends { timeUnixNano: bigint }>(a: T, b: T): number {
  return a.timeUnixNano < b.timeUnixNano ? -1 : a.timeUnixNano > b.timeUnixNano ? 1 : 0;
}

/** The rows a trace must come back as, computed from the OTLP source (events in time order). */
export function expectedRows(source: LogicalSpan[], traceId: string): TraceSpanRow[] {
  const spans = source.filter((span) => span.traceId === traceId).map((span) => ({ ...span, events: [...span.events].sort(byTime), source: { ...span.source, warnings: [] } }));
  return assembleTrace(spans).spans.map(spanToFrameRow);
}

export interface TraceOutput {
  traceID: string;
  spans: TraceSpanRow[];
  warnings: string[];
}

export async function cliTrace(args: string[]): Promise<TraceOutput> {
  const result = await runCli(['trace', ...args]);
  // 3: not found, with the (empty) trace printed all the same.
  if (result.code !== 0 && result.code !== 3) {
    throw new Error(`estraces trace ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as TraceOutput;
}

/** A row of `estraces search` output (the search frame's fields). */
export interface SearchOutputRow {
  traceID: string;
  startTime: number;
  duration: number;
  rootService: string;
  rootName: string;
  spans: number;
  errors: number;
  services: string[];
}

/** `estraces search ARGS`, which must succeed without a word on stderr (no warnings either). */
export async function cliSearch(args: string[]): Promise<SearchOutputRow[]> {
  const result = await runCli(['search', ...args]);
  if (result.code !== 0 || result.stderr !== '') {
    throw new Error(`estraces search ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  }
  return (JSON.parse(result.stdout) as { traces: SearchOutputRow[] }).traces;
}

const byKey = (a: TraceKeyValuePair, b: TraceKeyValuePair) => a.key.localeCompare(b.key);

/** OTLP attributes are maps: rows with their key/value lists sorted, to compare without regard to key order. */
export function canonicalRows(rows: TraceSpanRow[]): TraceSpanRow[] {
  return rows.map((row) => ({
    ...row,
    serviceTags: [...row.serviceTags].sort(byKey),
    tags: row.tags ? [...row.tags].sort(byKey) : row.tags,
    logs: row.logs?.map((log) => ({ ...log, fields: [...log.fields].sort(byKey) })),
    references: row.references?.map((reference) => ({ ...reference, tags: reference.tags ? [...reference.tags].sort(byKey) : reference.tags })),
  }));
}

/**
 * Where `actual` differs from `expected`, row by row with attribute order aside: a count that
 * differs, then the first two differing rows only, since a diff of thousands of rows would drown
 * the cause. Empty when they are the same.
 */
export function firstDifferingRows(actual: TraceSpanRow[], expected: TraceSpanRow[]): unknown[] {
  const [mine, theirs] = [canonicalRows(actual), canonicalRows(expected)];
  const differing: unknown[] = theirs.flatMap((row, i) => (JSON.stringify(row) === JSON.stringify(mine[i]) ? [] : [{ expected: row, actual: mine[i] }]));
  const count = mine.length === theirs.length ? [] : [{ expected: `${theirs.length} spans`, actual: `${mine.length} spans` }];
  return [...count, ...differing.slice(0, 2)];
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Checked by pid alone, independently of the runner; Node may take a moment to reap its child. */
export async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processExists(pid) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !processExists(pid);
}
