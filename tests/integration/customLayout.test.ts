/** A layout no producer preset matches, read through the field overrides, on both engines. */
import { checkHealth } from '../../src/datasource/health';
import { testEngines } from './engines';
import { cliTrace, nodeClient, runCli, uniqueIndex } from './helpers';

const TRACE = 'abcdef0123456789abcdef0123456789';
const documents = [
  { tid: TRACE, sid: '1000000000000001', when: '2024-05-14T09:21:07.123Z', took_us: 42500, svc: 'billing', op: 'invoice', failed: false, tags: { region: 'eu', items: 3 } },
  { tid: TRACE, sid: '1000000000000002', psid: '1000000000000001', when: '2024-05-14T09:21:07.130Z', took_us: 1200, svc: 'ledger', op: 'post', failed: true, tags: { region: 'eu' } },
];
const fields = ['--field', 'traceId=tid', '--field', 'spanId=sid', '--field', 'parentSpanId=psid', '--field', 'start=when', '--field', 'duration=took_us', '--field', 'durationUnit=us', '--field', 'serviceName=svc', '--field', 'name=op', '--field', 'statusCode=failed', '--field', 'attributesPrefix=tags'];

describe.each(testEngines().map((engine) => [engine.label, engine] as const))('%s', (_label, engine) => {
  const index = uniqueIndex('custom');

  beforeAll(async () => {
    const client = nodeClient(engine.url);
    await client.bulk(documents.map((doc) => `${JSON.stringify({ index: { _index: index } })}\n${JSON.stringify(doc)}\n`).join(''));
    await client.refresh(index);
  });

  it('reads spans through the configured field paths', async () => {
    const output = await cliTrace([TRACE, '--url', engine.url, '--index', index, '--schema', 'custom', ...fields]);
    expect(output.spans.map((span) => [span.spanID, span.parentSpanID, span.serviceName, span.operationName, span.duration, span.statusCode])).toEqual([
      ['1000000000000001', undefined, 'billing', 'invoice', 42.5, 0],
      ['1000000000000002', '1000000000000001', 'ledger', 'post', 1.2, 2],
    ]);
    expect(output.spans[0].tags).toEqual([
      { key: 'region', value: 'eu', type: 'string' },
      { key: 'items', value: 3, type: 'int64' },
    ]);
  });

  it('names the configured fields the mapping does not have, in the CLI and the health check', async () => {
    const result = await runCli(['trace', TRACE, '--url', engine.url, '--index', index, '--schema', 'custom', '--field', 'traceId=trace', '--field', 'spanId=sid', '--field', 'start=when']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`estraces: the custom field layout does not fit index pattern '${index}': ${index}: traceId field 'trace' is not in the mapping\n`);
    const health = await checkHealth(nodeClient(engine.url), { spanIndex: index, schema: 'custom', fieldOverrides: { traceId: 'tid', spanId: 'span', start: 'when' } });
    expect(health).toEqual({ status: 'error', message: `Connected to ${engine.label}, but the custom field layout does not fit index pattern '${index}': ${index}: spanId field 'span' is not in the mapping` });
  });
});
