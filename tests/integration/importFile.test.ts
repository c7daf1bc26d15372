/**
 * OTLP/JSON as the OpenTelemetry JS SDK's exporter serializes it (otlp-transformer's
 * JsonTraceSerializer), imported with `estraces trace --file`, is the trace that `estraces trace`
 * reads back from each engine after `estraces ingest --schema otel` stored the same file: the same
 * rows, span by span. The one difference is the file's own: it holds every trace, so the import
 * names the others in a notice.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { generateDemoTraces, generateLargeTrace } from '../../src/cli/sdkData';
import type { OtlpTraceRequest } from '../../src/proto/otlp';
import { testEngines } from './engines';
import {
  cliTrace,
  deleteMatching,
  firstDifferingRows,
  runCli,
  uniqueIndex,
  writeTempJson,
} from './helpers';

const demo = generateDemoTraces({ traces: 8, seed: 61 });
const large = generateLargeTrace(2_000, { seed: 62 });
const request: OtlpTraceRequest = { resourceSpans: [...demo.request.resourceSpans, ...large.request.resourceSpans] };
const file = writeTempJson('sdk-traces.json', request);
const traceIds = [...demo.traceIds, ...large.traceIds];

/** The Collector's file exporter writes one export request per line: here one per resource. */
const linesFile = join(dirname(file), 'sdk-traces.jsonl');
writeFileSync(
  linesFile,
  request.resourceSpans.map((resourceSpans) => JSON.stringify({ resourceSpans: [resourceSpans] })).join('\n')
);

/** The traces in the order the file first names them, computed from the request itself. */
const inFileOrder = [
  ...new Set(
    request.resourceSpans.flatMap((group) =>
      (group.scopeSpans ?? []).flatMap((scope) => (scope.spans ?? []).map((span) => span.traceId))
    )
  ),
];

/** The notice of a file holding every trace, showing `traceId`. */
function othersNotice(traceId: string): string {
  const others = inFileOrder.filter((id) => id !== traceId);
  return `the file holds ${inFileOrder.length} traces; showing ${traceId}. The others: ${others.slice(0, 5).join(', ')} and ${others.length - 5} more (give a trace id to show one of them)`;
}

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const index = uniqueIndex('import-otlp');

  beforeAll(async () => {
    const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', file]);
    expect(ingested.stderr).toBe('');
    expect(ingested.code).toBe(0);
  });

  afterAll(async () => {
    await deleteMatching(engine.url, `${index}*`);
  });

  it("imports the SDK's OTLP/JSON file as every trace of it reads back from the engine once ingested", async () => {
    for (const traceId of traceIds) {
      const [imported, stored] = [
        await cliTrace(['--file', file, traceId]),
        await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`]),
      ];
      expect(stored.spans.length).toBeGreaterThan(0);
      expect({
        traceID: imported.traceID,
        warnings: imported.warnings,
        differing: firstDifferingRows(imported.spans, stored.spans),
      }).toEqual({ traceID: stored.traceID, warnings: [...stored.warnings, othersNotice(traceId)], differing: [] });
    }
  });

  it("reads the same file as JSON Lines, one request per line as the Collector's file exporter writes, as the same traces", async () => {
    for (const traceId of [demo.traceIds[0], large.traceIds[0]]) {
      const [imported, stored] = [
        await cliTrace(['--file', linesFile, traceId]),
        await cliTrace([traceId, '--url', engine.url, '--index', `${index}*`]),
      ];
      expect({ warnings: imported.warnings, differing: firstDifferingRows(imported.spans, stored.spans) }).toEqual({
        warnings: [othersNotice(traceId)],
        differing: [],
      });
    }
  });
});

describe('estraces trace --file', () => {
  it('shows the first trace of the file without a trace id, and exits with 3 for a trace the file does not hold', async () => {
    const first = await cliTrace(['--file', file]);
    expect(first.traceID).toBe(inFileOrder[0]);
    const missing = await runCli(['trace', '--file', file, 'abcdef0123456789abcdef0123456789']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      `estraces: trace abcdef0123456789abcdef0123456789 is not in the file, which holds ${inFileOrder.length} traces: ${inFileOrder.slice(0, 5).join(', ')} and ${inFileOrder.length - 5} more\n`
    );
  });

  it('refuses --file with an engine URL, as a usage error naming the flag', async () => {
    const run = await runCli(['trace', '--file', file, '--url', 'http://127.0.0.1:9', demo.traceIds[0]]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^estraces: --file reads the trace from the file, with no engine: leave out --url\n\nusage: estraces/
    );
  });

  it('says a file that is no trace is none, with what was expected, and exits with 1', async () => {
    const run = await runCli(['trace', '--file', writeTempJson('not-a-trace.json', { traces: [] })]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^estraces: the file is not a trace file: expected OTLP\/JSON .*; it holds an object with the keys traces\n$/
    );
  });
});
