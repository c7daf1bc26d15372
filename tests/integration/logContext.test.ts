/**
 * "Show context" of a log line on real engines, for every logs schema: the lines before and after
 * a line in its service (or its trace) are exactly the other lines of that service (or trace),
 * split at the line with nothing lost or shown twice, even where several lines share the line's
 * instant; with a limit, the nearest lines come. The truth is the OTLP source, not our reader.
 */
import type { OtlpLogRecord } from '../../src/proto/otlp';
import { logContext, type LogContextRow } from '../../src/query/logContext';
import { type LogLine, resolveLogsPattern, searchLogs } from '../../src/query/logs';
import { LOG_SCHEMA_NAMES } from '../../src/types';
import { ingestNeeds, itWhere, testEngines } from './engines';
import { deleteMatching, nodeClient, runCli, uniqueIndex, writeTempJson } from './helpers';

const BASE_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const TRACE_A = '5b8aa5a2d2c872e8321cf37308d69df2';
const TRACE_B = '6e0c63257de34c926f9efcd03899b1e8';

/**
 * Service "orders": 40 lines 10 ms apart, lines 18 to 22 at one instant; the first half in trace A,
 * the rest in trace B. Service "billing" has lines in between, in trace A too, and must never show.
 */
function record(service: string, ms: number, body: string, traceId: string): { service: string; record: OtlpLogRecord } {
  const ns = (BigInt(ms) * BigInt(1_000_000)).toString();
  return { service, record: { timeUnixNano: ns, observedTimeUnixNano: ns, severityNumber: 9, severityText: 'INFO', body: { stringValue: body }, traceId, spanId: '00f067aa0ba902b7', attributes: [] } };
}
const SAME_INSTANT = BASE_MS + 200;
const lines = [
  ...Array.from({ length: 40 }, (_, i) => record('orders', i >= 18 && i <= 22 ? SAME_INSTANT : BASE_MS + i * 10, `orders line ${i}`, i < 20 ? TRACE_A : TRACE_B)),
  ...Array.from({ length: 10 }, (_, i) => record('billing', BASE_MS + i * 40 + 5, `billing line ${i}`, TRACE_A)),
];
const request = {
  resourceLogs: ['orders', 'billing'].map((service) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeLogs: [{ scope: { name: 'context-test' }, logRecords: lines.filter((line) => line.service === service).map((line) => line.record) }],
  })),
};
const logsFile = writeTempJson('context-logs.json', request);
const bodies = (filter: (line: (typeof lines)[number]) => boolean) => lines.filter(filter).map((line) => line.record.body!.stringValue!).sort();
const keyOf = (line: LogLine) => `${line.index}/${line.id}`;
const bodyOf = (line: LogLine) => String(line.body);

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  describe.each(LOG_SCHEMA_NAMES.map((schema) => [schema]))('%s', (schema) => {
    const index = uniqueIndex(`it-context-${schema}`);
    const client = nodeClient(engine.url);
    const stored = itWhere(engine, ingestNeeds(schema));
    let all: LogLine[] = [];
    let row: LogLine;

    const around = async (scope: 'service' | 'trace', direction: 'backward' | 'forward', limit: number) => {
      const resolution = await resolveLogsPattern(client, `${index}-logs`);
      const context: LogContextRow = { timeUnixNano: row.timeUnixNano, key: keyOf(row), service: 'orders', traceId: row.traceId };
      return (await logContext(client, { resolution, row: context, scope, direction, limit })).lines;
    };

    beforeAll(async () => {
      if (ingestNeeds(schema).some((feature) => engine.lacks.includes(feature))) {
        return;
      }
      const ingested = await runCli(['ingest', '--url', engine.url, '--index', index, '--schema', schema, logsFile]);
      expect(ingested.stderr).toBe('');
      const resolution = await resolveLogsPattern(client, `${index}-logs`);
      all = (await searchLogs(client, { resolution, filters: { service: 'orders' }, limit: 1000 })).lines;
      // The middle one of the lines sharing an instant, as the list shows them.
      const sameInstant = all.filter((line) => bodyOf(line).match(/^orders line (1[89]|2[0-2])$/));
      row = sameInstant[2];
    });

    afterAll(() => deleteMatching(engine.url, `${index}*`));

    stored('splits the other lines of the service at the line, none lost, none twice, the line on neither side', async () => {
      expect(all.map(bodyOf).sort()).toEqual(bodies((line) => line.service === 'orders'));
      const before = await around('service', 'backward', 100);
      const after = await around('service', 'forward', 100);
      const keys = [...before, ...after].map(keyOf);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).not.toContain(keyOf(row));
      expect([...before, ...after, row].map(bodyOf).sort()).toEqual(bodies((line) => line.service === 'orders'));
      // Older lines are before it in time, newer after it; the line's own instant is split by the list's order.
      expect(before.every((line) => line.timeUnixNano <= row.timeUnixNano)).toBe(true);
      expect(after.every((line) => line.timeUnixNano >= row.timeUnixNano)).toBe(true);
      expect(before.filter((line) => line.timeUnixNano === row.timeUnixNano)).toHaveLength(2);
      expect(after.filter((line) => line.timeUnixNano === row.timeUnixNano)).toHaveLength(2);
    });

    stored('gives the nearest lines on each side when limited', async () => {
      const position = all.findIndex((line) => keyOf(line) === keyOf(row));
      // `all` is newest first: newer lines precede the row, older ones follow it.
      expect((await around('service', 'backward', 3)).map(keyOf)).toEqual(all.slice(position + 1, position + 4).map(keyOf));
      expect((await around('service', 'forward', 3)).map(keyOf)).toEqual(all.slice(position - 3, position).map(keyOf));
    });

    stored("keeps to the line's trace when asked, across services", async () => {
      const before = await around('trace', 'backward', 100);
      const after = await around('trace', 'forward', 100);
      const expected = bodies((line) => line.record.traceId === row.traceId);
      expect([...before, ...after, row].map(bodyOf).sort()).toEqual(expected);
      expect(expected.some((body) => body.startsWith('billing'))).toBe(row.traceId === TRACE_A);
    });
  });
});
