/**
 * The plugin's editors in a real browser: headless Chromium shows the ConfigEditor, the
 * QueryEditor of every query type and the VariableQueryEditor as src/module.ts wires them, in
 * @grafana/ui's dark theme (tests/browser/harness), and a user's clicks, typing and picks go
 * through the real DataSource and Grafana's data source proxy path (the harness server forwards
 * /api/datasources/proxy/uid/<uid>/ to the engine) to the first OpenSearch engine of the suite.
 * What each editor saves and what each run returns are checked against the source spans; the
 * screenshots go to tests/browser/artifacts/ (and, with ESTRACES_UPDATE_SCREENSHOTS=1, to
 * src/img/screenshots/ for the README and plugin.json).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, Page } from 'playwright-core';

import { bundleHarness } from '../browser/bundle';
import { findChromium, launchChromium } from '../browser/chromium';
import {
  ATTRIBUTE_KEYS,
  attributeValues,
  LOG_RECORDS,
  LOGS_OTLP,
  operationsOf,
  RANGE,
  serviceCalls,
  SERVICES,
  SPANS,
  spansOf,
  TRACE_IDS,
  TRACES_OTLP,
  tracesWithSpan,
} from '../browser/fixture';
import { type FrameSummary, type HarnessSettings, type RunRecord } from '../browser/harness/contract';
import {
  chooseRadio,
  clickAway,
  type HarnessPage,
  harnessState,
  latestPreview,
  openView,
  pick,
  runQuery,
  screenshot,
  stored,
  switchOn,
  waitForStored,
} from '../browser/page';
import { type HarnessServer, startHarnessServer } from '../browser/server';
import type { EsTracesOptions, EsTracesQuery } from '../../src/types';
import { testEngines } from './engines';
import { deleteMatching, runCli, uniqueIndex, writeTempJson } from './helpers';

const engine = testEngines().find((candidate) => candidate.kind === 'opensearch') ?? testEngines()[0];
const DATASOURCE_UID = 'estraces-browser';
const LOGS_DATASOURCE = { uid: 'logs-es', name: 'Elasticsearch logs', type: 'elasticsearch' };

/** Each test drives one page against a running engine; only the setup (bundling, ingesting, starting Chromium) may take minutes. */
const TEST_TIMEOUT_MS = 120_000;
const SETUP_TIMEOUT_MS = 600_000;

/** The query types the editor offers, by label: each has its test below. */
const QUERY_TYPE_LABELS = ['Trace ID', 'Trace statistics', 'Search', 'Scatter', 'Histogram', 'Metrics', 'Service map', 'Logs', 'Import'];

function frameNamed(run: RunRecord, name: string): FrameSummary {
  const frame = run.frames.find((candidate) => candidate.name === name);
  if (!frame) {
    throw new Error(`no frame '${name}' in the run; it returned ${JSON.stringify(run.frames.map((f) => f.name))} and errors ${JSON.stringify(run.errors)}`);
  }
  return frame;
}

function values(frame: FrameSummary, field: string): unknown[] {
  const found = frame.fields.find((candidate) => candidate.name === field);
  if (!found) {
    throw new Error(`frame '${frame.name}' has no field '${field}': ${frame.fields.map((f) => f.name).join(', ')}`);
  }
  return found.values;
}

const sortedStrings = (list: unknown[]) => list.map(String).sort();

/**
 * The texts of the options of the open menu once it has loaded them: an option shows and no
 * field shows Grafana's loading spinner (short lists: the menu renders only the rows in view).
 */
async function optionTexts(page: Page): Promise<string[]> {
  await page.getByRole('option').first().waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="icon-spinner"]') === null);
  return page.getByRole('option').allInnerTexts();
}

jest.setTimeout(TEST_TIMEOUT_MS);

describe(`the editors in Chromium against ${engine.label}`, () => {
  const index = uniqueIndex('it-browser');
  const bundleDir = mkdtempSync(join(tmpdir(), 'estraces-browser-'));
  const settings: HarnessSettings = {
    datasource: { uid: DATASOURCE_UID, name: 'ES Traces', jsonData: { spanIndex: index, logsIndex: `${index}-logs` } },
    logsDatasource: LOGS_DATASOURCE,
    range: RANGE,
  };
  let browser: Browser | undefined;
  let server: HarnessServer | undefined;
  let current: HarnessPage | undefined;

  beforeAll(async () => {
    // First, so a machine without Chromium fails at once, saying what to install.
    findChromium();
    const spansFile = writeTempJson('browser-spans.json', TRACES_OTLP);
    const logsFile = writeTempJson('browser-logs.json', LOGS_OTLP);
    const [ingested] = await Promise.all([runCli(['ingest', '--url', engine.url, '--index', index, '--schema', 'otel', spansFile, logsFile]), bundleHarness(bundleDir)]);
    expect(ingested.stderr).toBe('');
    expect(JSON.parse(ingested.stdout)).toMatchObject({ spans: TRACES_OTLP.resourceSpans.flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []).length, failed: 0 });
    server = await startHarnessServer({ bundleDir, engineUrl: engine.url, settings });
    browser = await launchChromium();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(bundleDir, { recursive: true, force: true });
    await deleteMatching(engine.url, `${index}*`);
  });

  /** A fresh page for each test; named for its artefacts. */
  async function open(view: 'config' | 'query' | 'variable', name: string, query?: unknown): Promise<Page> {
    current = await openView(browser!, server!, view, name, query);
    return current.page;
  }

  /** A new query of one type, chosen by its label as a user does, run once without errors. */
  async function runNewQuery(name: string, label: string, queryType: EsTracesQuery['queryType']): Promise<RunRecord> {
    const page = await open('query', name, { refId: 'A' });
    await chooseRadio(page, label);
    await waitForStored(page, { queryType });
    const run = await runQuery(page);
    expect(run.errors).toEqual([]);
    return run;
  }

  afterEach(async () => {
    const errors = current?.errors ?? [];
    await current?.close();
    current = undefined;
    // Each test answers for its own page: what one asked for is not held against the next.
    const unexpected = server?.unexpected.splice(0) ?? [];
    server?.proxied.splice(0);
    expect(errors).toEqual([]);
    // The page reached the engine only through the data source proxy, and asked for nothing else unknown.
    expect(unexpected).toEqual([]);
  });

  const editor = (page: Page) => page.getByTestId('editor');

  it('saves the span index, schema, logs index, trace-to-logs data source and node graph a user sets in jsonData', async () => {
    const page = await open('config', 'config-editor');
    await page.getByPlaceholder('http://localhost:9200').fill('http://localhost:9200');
    await page.locator('#estraces-span-index').fill('traces-*');
    await pick(page, page.locator('#estraces-schema'), 'otel');
    await page.locator('#estraces-logs-index').fill('logs-*');
    // Grafana's data source picker lists the data sources the trace view can take logs from.
    await page.locator('#estraces-trace-to-logs-datasource').click();
    expect(await optionTexts(page)).toEqual(['ES Traces (default)', LOGS_DATASOURCE.name]);
    await page.getByRole('option').filter({ hasText: LOGS_DATASOURCE.name }).click();
    await switchOn(page, 'estraces-node-graph');
    await clickAway(page);

    const expected: EsTracesOptions = {
      spanIndex: 'traces-*',
      schema: 'otel',
      logsIndex: 'logs-*',
      tracesToLogsV2: { datasourceUid: LOGS_DATASOURCE.uid },
      nodeGraph: { enabled: true },
    };
    await waitForStored(page, { jsonData: expected });
    const saved = await stored<{ url: string; jsonData: EsTracesOptions }>(page);
    expect(saved.jsonData).toEqual(expected);
    expect(saved.url).toBe('http://localhost:9200');
    // Nothing the settings page did needed the engine.
    expect(server!.proxied).toEqual([]);
    await screenshot(editor(page), 'config-editor', true);
  });

  it('offers every query type, each covered by a test here', async () => {
    const page = await open('query', 'query-types', { refId: 'A' });
    const labels = await page.getByTestId('editor').evaluate((box) => Array.from(box.querySelectorAll('input[type="radio"]')).map((radio) => (radio as HTMLInputElement).labels?.[0]?.textContent));
    expect(labels).toEqual(QUERY_TYPE_LABELS);
  });

  it('Trace ID: a typed id runs and returns the trace frame with every span of that trace', async () => {
    const page = await open('query', 'trace-id-editor', { refId: 'A' });
    const traceId = TRACE_IDS[2];
    await page.locator('#estraces-trace-id-A').fill(traceId);
    await waitForStored(page, { queryType: 'traceId', query: traceId });
    await clickAway(page);
    const run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const trace = frameNamed(run, 'Trace');
    expect(trace.preferredVisualisationType).toBe('trace');
    expect(sortedStrings(values(trace, 'spanID'))).toEqual(sortedStrings(spansOf(traceId).map((span) => span.spanId)));
    expect(new Set(values(trace, 'traceID'))).toEqual(new Set([traceId]));
    expect(sortedStrings(values(trace, 'serviceName'))).toEqual(sortedStrings(spansOf(traceId).map((span) => span.serviceName)));
    await screenshot(editor(page), 'trace-id-editor', true);
  });

  it("Trace statistics: a trace grouped by service counts each service's spans", async () => {
    const page = await open('query', 'trace-stats-editor', { refId: 'A' });
    await chooseRadio(page, 'Trace statistics');
    const traceId = TRACE_IDS[1];
    await page.locator('#estraces-trace-id-A').fill(traceId);
    await clickAway(page);
    await pick(page, page.locator('#estraces-stats-group-by-A'), 'service');
    await waitForStored(page, { queryType: 'traceStats', query: traceId, statsGroupBy: 'service' });
    const run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const stats = frameNamed(run, 'Trace statistics');
    const counted = Object.fromEntries(values(stats, 'service').map((service, row) => [service, values(stats, 'spans')[row]]));
    const expected: Record<string, number> = {};
    for (const span of spansOf(traceId)) {
      expected[span.serviceName] = (expected[span.serviceName] ?? 0) + 1;
    }
    expect(counted).toEqual(expected);
    await clickAway(page);
    await screenshot(editor(page), 'trace-stats-editor');
    const table = page.getByTestId('table');
    for (const service of Object.keys(expected)) {
      await table.getByText(service, { exact: true }).waitFor();
    }
    await screenshot(table, 'trace-stats-results', true);
  });

  it('Search: a service and operation picked from the lists the engine fills, and an attribute picked and added, find exactly the matching traces', async () => {
    const page = await open('query', 'search-editor', { refId: 'A' });
    await chooseRadio(page, 'Search');
    await waitForStored(page, { queryType: 'search' });
    await page.locator('#estraces-service-A').click();
    expect(await optionTexts(page)).toEqual(SERVICES);
    await pick(page, page.locator('#estraces-service-A'), 'payment');
    await waitForStored(page, { service: 'payment' });
    await page.locator('#estraces-operation-A').click();
    expect(await optionTexts(page)).toEqual(operationsOf('payment'));
    await pick(page, page.locator('#estraces-operation-A'), 'Charge');
    // The attribute keys are many: typed in part, as a user narrows a long list.
    await page.locator('#estraces-tag-key-A').fill('payment.me');
    await pick(page, page.locator('#estraces-tag-key-A'), 'app.payment.method');
    await page.locator('#estraces-tag-value-A').click();
    expect(await optionTexts(page)).toEqual(attributeValues('app.payment.method'));
    await pick(page, page.locator('#estraces-tag-value-A'), 'card');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await waitForStored(page, { service: 'payment', operation: 'Charge', tags: 'app.payment.method=card' });
    expect(await stored(page)).toEqual({ refId: 'A', queryType: 'search', service: 'payment', operation: 'Charge', tags: 'app.payment.method=card' });
    await clickAway(page);
    await screenshot(editor(page), 'search-editor', true);

    const run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const found = frameNamed(run, 'Traces');
    const expected = tracesWithSpan((span) => span.serviceName === 'payment' && span.name === 'Charge' && span.attributes['app.payment.method'] === 'card');
    expect(expected.length).toBeGreaterThan(0);
    expect(sortedStrings(values(found, 'traceID'))).toEqual(expected);
    // The table shows each trace id as a link that opens the trace in this data source.
    const table = page.getByTestId('table');
    for (const traceId of expected) {
      await table.getByRole('link', { name: traceId, exact: true }).waitFor();
    }
    const link = found.fields.find((field) => field.name === 'traceID')!.links[0];
    const left = JSON.parse(new URL(link, server!.url).searchParams.get('left') ?? '{}');
    expect(left.queries).toEqual([{ query: values(found, 'traceID')[0], queryType: 'traceId', datasource: { uid: DATASOURCE_UID } }]);
    await screenshot(table, 'search-results', true);
  });

  it('Scatter: error traces give one point each, and one point per error span with "Per span"', async () => {
    const page = await open('query', 'scatter-editor', { refId: 'A' });
    await chooseRadio(page, 'Scatter');
    await chooseRadio(page, 'Error');
    await waitForStored(page, { queryType: 'scatter', status: 'error' });
    let run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const errorSpans = SPANS.filter((span) => span.statusCode === 2);
    expect(sortedStrings(values(run.frames[0], 'traceID'))).toEqual(tracesWithSpan((span) => span.statusCode === 2));
    // Drawn by @grafana/ui's TimeSeries as a points panel: start time against duration.
    await page.getByTestId('graph').locator('canvas').waitFor();
    await screenshot(page.getByTestId('graph'), 'scatter');
    await switchOn(page, 'estraces-per-span-A');
    await waitForStored(page, { perSpan: true });
    run = await runQuery(page);
    expect(run.errors).toEqual([]);
    expect(sortedStrings(values(run.frames[0], 'spanID'))).toEqual(sortedStrings(errorSpans.map((span) => span.spanId)));
  });

  it('Histogram: the distribution counts every trace of the range', async () => {
    const run = await runNewQuery('histogram-editor', 'Histogram', 'histogram');
    const histogram = frameNamed(run, 'Duration distribution');
    expect((values(histogram, 'count') as number[]).reduce((sum, count) => sum + count, 0)).toBe(TRACE_IDS.length);
  });

  it("Metrics: a service's series split by operation, then its server operations as a table with their error rates", async () => {
    const page = await open('query', 'metrics-editor', { refId: 'A' });
    await chooseRadio(page, 'Metrics');
    await pick(page, page.locator('#estraces-service-A'), 'checkout');
    await pick(page, page.locator('#estraces-group-by-A'), 'operation');
    await waitForStored(page, { queryType: 'metrics', service: 'checkout', metricsGroupBy: 'operation' });
    let run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const rateSeries = run.frames.filter((frame) => frame.fields.some((field) => field.name === 'rate'));
    expect(rateSeries.map((frame) => frame.name).sort()).toEqual(operationsOf('checkout').map((operation) => `${operation} requests/s`).sort());
    await page.getByTestId('graph').locator('canvas').waitFor();
    await clickAway(page);
    await screenshot(editor(page), 'metrics-editor', true);
    await screenshot(page.getByTestId('graph'), 'metrics-series');

    await chooseRadio(page, 'Server');
    await switchOn(page, 'estraces-metrics-table-A');
    await waitForStored(page, { kind: 'server', metricsTable: true });
    run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const table = frameNamed(run, 'Operations');
    const served = SPANS.filter((span) => span.serviceName === 'checkout' && span.kind === 'server');
    const operations = [...new Set(served.map((span) => span.name))].sort();
    expect(values(table, 'operation').map(String).sort()).toEqual(operations);
    expect(new Set(values(table, 'service'))).toEqual(new Set(['checkout']));
    const errorRate = (operation: string) => {
      const spans = served.filter((span) => span.name === operation);
      return spans.filter((span) => span.statusCode === 2).length / spans.length;
    };
    values(table, 'operation').forEach((operation, row) => expect(values(table, 'errorRate')[row]).toBeCloseTo(errorRate(String(operation)), 12));
  });

  it('Service map: every service is a node and every call between services an edge', async () => {
    const run = await runNewQuery('service-map-editor', 'Service map', 'serviceMap');
    const nodes = frameNamed(run, 'Nodes');
    const edges = frameNamed(run, 'Edges');
    const services = new Set(SERVICES);
    expect(sortedStrings(values(nodes, 'title')).filter((title) => services.has(title))).toEqual(SERVICES);
    const serviceEdges = values(edges, 'source')
      .map((source, row) => [String(source), String(values(edges, 'target')[row])])
      .filter(([source, target]) => services.has(source) && services.has(target))
      .map(([source, target]) => `${source}->${target}`);
    expect(serviceEdges.sort()).toEqual(serviceCalls());
  });

  it('Logs: a typed trace id returns exactly the log lines of that trace from the logs index', async () => {
    const page = await open('query', 'logs-editor', { refId: 'A' });
    await chooseRadio(page, 'Logs');
    const traceId = TRACE_IDS[0];
    await page.locator('#estraces-logs-trace-id-A').fill(traceId);
    await clickAway(page);
    await waitForStored(page, { queryType: 'logs', traceId });
    await screenshot(editor(page), 'logs-editor', true);
    const run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const lines = frameNamed(run, 'Logs');
    expect(lines.preferredVisualisationType).toBe('logs');
    const expected = LOG_RECORDS.filter((record) => record.traceId === traceId).map((record) => String(record.body));
    expect(expected.length).toBeGreaterThan(0);
    expect(sortedStrings(values(lines, 'body'))).toEqual(expected.sort());
    expect(new Set(values(lines, 'traceID'))).toEqual(new Set([traceId]));
    // Shown in a table (Grafana's logs panel is part of Grafana, not of @grafana/ui), each trace id a link to the trace.
    const table = page.getByTestId('table');
    for (const body of new Set(expected)) {
      await table.getByText(body, { exact: true }).first().waitFor();
    }
    await table.getByRole('link', { name: traceId }).first().waitFor();
    await screenshot(table, 'logs-results', true);
  });

  it('Import: a dropped OTLP file shows the chosen trace with no request to the engine', async () => {
    const page = await open('query', 'import-editor', { refId: 'A' });
    await chooseRadio(page, 'Import');
    const traceId = TRACE_IDS[3];
    await page.locator('#estraces-import-trace-id-A').fill(traceId);
    await clickAway(page);
    await waitForStored(page, { queryType: 'upload', query: traceId });
    const proxiedBefore = server!.proxied.length;
    const file = writeTempJson('checkout-traces.json', TRACES_OTLP);
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByText('checkout-traces.json').waitFor();
    const run = await runQuery(page);
    expect(run.errors).toEqual([]);
    const trace = frameNamed(run, 'Trace');
    expect(sortedStrings(values(trace, 'spanID'))).toEqual(sortedStrings(spansOf(traceId).map((span) => span.spanId)));
    expect(server!.proxied.length).toBe(proxiedBefore);
    // The file stays with the data source instance, never in the saved query.
    expect(await stored<EsTracesQuery>(page)).toEqual({ refId: 'A', queryType: 'upload', query: traceId });
  });

  it('VariableQueryEditor: each kind of list previews the values the engine holds', async () => {
    const page = await open('variable', 'variable-editor', '');
    // A new variable lists services.
    expect((await latestPreview(page, '')).values.sort()).toEqual(SERVICES);

    await chooseRadio(page, 'Operations of a service');
    await latestPreview(page, { kind: 'operations' });
    await page.locator('#estraces-variable-service-variable').fill('checkout');
    await page.keyboard.press('Enter');
    expect((await latestPreview(page, { kind: 'operations', service: 'checkout' })).values.sort()).toEqual(operationsOf('checkout'));
    expect((await harnessState(page)).definition).toBe('operations(service=checkout)');
    await clickAway(page);
    await screenshot(editor(page), 'variable-editor', true);

    await chooseRadio(page, 'Attribute keys');
    expect((await latestPreview(page, { kind: 'tagKeys' })).values.sort()).toEqual(ATTRIBUTE_KEYS);

    await chooseRadio(page, 'Attribute values');
    await page.locator('#estraces-variable-tag-variable').fill('app.payment.method');
    await page.keyboard.press('Enter');
    expect((await latestPreview(page, { kind: 'tagValues', tag: 'app.payment.method' })).values.sort()).toEqual(attributeValues('app.payment.method'));

    await chooseRadio(page, 'Services');
    expect((await latestPreview(page, { kind: 'services' })).values.sort()).toEqual(SERVICES);
  });
});
