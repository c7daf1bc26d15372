/**
 * What users see when the network or the engine misbehaves, through the real query core and a
 * real engine behind a fault-injecting proxy: the command line's path (EngineClient over the Node
 * transport) and the data source's (the Grafana transport over a backendSrv doing real HTTP).
 * The requests are the same on every engine, so this runs on one engine of each kind.
 */
import { type DataQueryRequest, type DataQueryResponse, dateTime, type DataSourceInstanceSettings, LoadingState } from '@grafana/data';
import { type BackendSrv, type BackendSrvRequest, type FetchResponse, setBackendSrv } from '@grafana/runtime';
import { lastValueFrom, Observable, toArray } from 'rxjs';

import { bigTrace } from '../../src/cli/benchData';
import { main } from '../../src/cli/main';
import { DataSource } from '../../src/datasource/DataSource';
import { EngineClient } from '../../src/engine/client';
import { createNodeTransport } from '../../src/engine/nodeTransport';
import { otelSchema } from '../../src/proto/otel';
import { ingest } from '../../src/query/ingest';
import { resolvePattern } from '../../src/query/resolve';
import { parseSearchInput, searchTraces } from '../../src/query/search';
import { runTraceQuery } from '../../src/query/traceQuery';
import type { EsTracesOptions, EsTracesQuery } from '../../src/types';
import { isNewestOfKind, itWhere, searchNeeds, testEngines } from './engines';
import { type Fault, FaultProxy } from './faultProxy';
import { deleteMatching, nodeClient, uniqueIndex } from './helpers';

/*
 * Grafana's packages under this suite's jest, which transforms no ES-module-only dependency:
 * @grafana/data loads `marked` and d3 colour scales for markdown and colours, which nothing here
 * uses, and @grafana/runtime loads all of @grafana/ui (only the editors, never rendered here, use
 * it). So those are stood in for, and the runtime is the host as a plugin sees it: backendSrv
 * (real HTTP, below) and a template service.
 */
jest.mock('marked', () => ({ marked: { parse: (text: string) => text, setOptions: () => undefined } }));
jest.mock('d3-interpolate', () => ({}));
jest.mock('d3-scale-chromatic', () => ({}));
jest.mock('@grafana/ui', () => ({}));
jest.mock('@grafana/runtime', () => {
  let backendSrv: unknown;
  return {
    getBackendSrv: () => backendSrv,
    setBackendSrv: (instance: unknown) => (backendSrv = instance),
    isFetchError: (e: unknown) => typeof e === 'object' && e !== null && 'status' in e && 'data' in e,
    getTemplateSrv: () => ({ replace: (text?: string) => text ?? '' }),
    getDataSourceSrv: () => ({ getInstanceSettings: () => undefined }),
  };
});

const START_MS = Date.UTC(2026, 10, 20, 12);
const small = bigTrace(30, START_MS, 3);
const smallTraceId = small[0].traceId;
// Three pages of the trace query's 10,000-document pages.
const large = bigTrace(25_000, START_MS + 3_600_000, 4);
const largeTraceId = large[0].traceId;

const SEARCH = /\/_search\b/;
const NGINX_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n';
const NGINX_404 = '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n';
const REJECTED = JSON.stringify({
  error: { root_cause: [{ type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' }], type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' },
  status: 429,
});

const html = (status: number, body: string): Fault => ({ kind: 'answer', status, body, headers: { 'content-type': 'text/html' } });

/** The command line's client, with short backoffs so retried cases stay quick. */
function cliClient(url: string, timeoutMs = 60_000): EngineClient {
  return new EngineClient(createNodeTransport({ url, timeoutMs, retry: { baseDelayMs: 20 } }));
}

async function traceThrough(client: EngineClient, index: string, traceId = smallTraceId) {
  const resolution = await resolvePattern(client, `${index}*`, 'auto');
  return runTraceQuery(client, { traceId, resolution, maxSpans: 100_000 });
}

/**
 * backendSrv as Grafana has it, over real HTTP: fetch gives an observable whose unsubscription
 * aborts the request; a body that does not parse as JSON is handed over as text; an error answer
 * is thrown as the response (status, data, headers).
 */
function httpBackendSrv(): BackendSrv {
  const fetchOverHttp = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      const body = options.data === undefined ? undefined : typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
      fetch(options.url, { method: options.method, headers: options.headers, body, signal: controller.signal })
        .then(async (response) => {
          const text = await response.text();
          let data: unknown = text;
          try {
            data = JSON.parse(text);
          } catch {
            // Grafana keeps the text.
          }
          const answer = { data: data as T, status: response.status, statusText: response.statusText, ok: response.ok, headers: response.headers, url: options.url, type: response.type, redirected: response.redirected, config: options };
          if (response.ok) {
            subscriber.next(answer);
            subscriber.complete();
          } else {
            subscriber.error(answer);
          }
        })
        .catch((error: Error) => {
          if (!controller.signal.aborted) {
            subscriber.error({ status: 502, statusText: 'Bad Gateway', data: { message: error.message }, config: options });
          }
        });
      return () => controller.abort();
    });
  return { fetch: fetchOverHttp } as unknown as BackendSrv;
}

function dataSourceThrough(proxy: FaultProxy, index: string, jsonData: EsTracesOptions = {}): DataSource {
  const settings = { id: 1, uid: 'faults', name: 'Faults', type: 'estraces-otel-datasource', url: proxy.url, jsonData: { spanIndex: `${index}*`, ...jsonData }, meta: {} };
  return new DataSource(settings as unknown as DataSourceInstanceSettings<EsTracesOptions>);
}

function traceRequest(traceId: string): DataQueryRequest<EsTracesQuery> {
  const range = { from: dateTime(START_MS - 3_600_000), to: dateTime(START_MS + 7_200_000), raw: { from: 'now-1h', to: 'now' } };
  return { targets: [{ refId: 'A', queryType: 'traceId', query: traceId }], range, scopedVars: {}, requestId: 'r', interval: '1s', intervalMs: 1000, timezone: 'utc', app: 'explore', startTime: 0 } as DataQueryRequest<EsTracesQuery>;
}

function spanIds(response: DataQueryResponse): string[] {
  return [...(response.data[0].fields.find((field: { name: string }) => field.name === 'spanID').values as string[])].sort();
}

const sortedIds = (spans: typeof small) => spans.map((span) => span.spanId).sort();

beforeAll(() => setBackendSrv(httpBackendSrv()));

describe.each(testEngines().filter(isNewestOfKind).map((engine) => [engine.label, engine] as const))('%s behind a fault-injecting proxy', (_label, engine) => {
  const index = uniqueIndex('faults');
  let proxy: FaultProxy;
  /** Searches of one small-trace query when nothing goes wrong. */
  let cleanSearches: number;

  beforeAll(async () => {
    const report = await ingest(nodeClient(engine.url), { schema: otelSchema, index, spans: [...small, ...large], logs: [] });
    expect(report).toMatchObject({ spans: small.length + large.length, failed: 0 });
    proxy = await FaultProxy.start(engine.url);
    const before = proxy.count(SEARCH);
    const result = await traceThrough(cliClient(proxy.url), index);
    expect(result.rows.map((row) => row.spanID).sort()).toEqual(sortedIds(small));
    cleanSearches = proxy.count(SEARCH) - before;
  });

  afterEach(() => proxy.clearFaults());

  afterAll(async () => {
    await proxy?.close();
    await deleteMatching(engine.url, `${index}*`);
  });

  describe('the command line core (Node transport)', () => {
    it('says the engine cannot be reached when the connection is refused', async () => {
      const closed = await FaultProxy.start(engine.url);
      const url = closed.url;
      await closed.close();
      await expect(traceThrough(cliClient(url), index)).rejects.toMatchObject({ kind: 'unreachable', message: `cannot reach ${url} (ECONNREFUSED): check the URL and that the engine is running` });
    });

    it('says the connection broke when it is reset in the middle of a page', async () => {
      proxy.inject({ kind: 'reset-mid-body' }, { path: SEARCH, times: 1 });
      await expect(traceThrough(cliClient(proxy.url), index)).rejects.toMatchObject({
        kind: 'unreachable',
        message: `the connection to ${proxy.url} broke while its answer was arriving (the connection closed before the answer was complete): try again; if it keeps happening, check the network and any proxy between here and the engine`,
      });
    });

    it('gives up on a stalled answer at the timeout, closing the request, and names the setting', async () => {
      const resolution = await resolvePattern(cliClient(proxy.url), `${index}*`, 'auto');
      proxy.inject({ kind: 'stall' }, { path: SEARCH, times: 1 });
      const abandoned = proxy.abandoned;
      await expect(runTraceQuery(cliClient(proxy.url, 300), { traceId: smallTraceId, resolution, maxSpans: 100_000 })).rejects.toMatchObject({
        kind: 'timeout',
        message: `${proxy.url} did not answer within 300 ms: the engine is overloaded or the query is too broad; narrow the time range or raise the timeout`,
      });
      await proxy.until((p) => p.abandoned > abandoned);
    });

    it('retries a search answered 503 without Retry-After, then returns the whole trace', async () => {
      proxy.inject({ kind: 'answer', status: 503, body: '{"error":"unavailable","status":503}' }, { path: SEARCH, times: 2 });
      const before = proxy.count(SEARCH);
      const result = await traceThrough(cliClient(proxy.url), index);
      expect(result.rows.map((row) => row.spanID).sort()).toEqual(sortedIds(small));
      expect(proxy.count(SEARCH) - before).toBe(cleanSearches + 2);
    });

    it('retries a search answered 429 with Retry-After in seconds, then with an HTTP date, and returns the whole trace', async () => {
      proxy.inject({ kind: 'answer', status: 429, body: REJECTED, headers: { 'retry-after': '1' } }, { path: SEARCH, times: 1 });
      proxy.inject({ kind: 'answer', status: 429, body: REJECTED, headers: { 'retry-after': new Date(Date.now() + 1000).toUTCString() } }, { path: SEARCH, times: 1 });
      const before = proxy.count(SEARCH);
      const result = await traceThrough(cliClient(proxy.url), index);
      expect(result.rows.map((row) => row.spanID).sort()).toEqual(sortedIds(small));
      expect(proxy.count(SEARCH) - before).toBe(cleanSearches + 2);
    });

    it('stops after 3 retries of an engine that keeps answering 429, with the engine\'s reason', async () => {
      proxy.inject({ kind: 'answer', status: 429, body: REJECTED, headers: { 'retry-after': '0' } }, { path: SEARCH });
      const before = proxy.count(SEARCH);
      await expect(traceThrough(cliClient(proxy.url), index)).rejects.toMatchObject({
        kind: 'overloaded',
        status: 429,
        message: `${proxy.url} is overloaded: HTTP 429 after 4 attempts (rejected execution of coordinating operation); try again later, or narrow the query (time range, index pattern) to lighten its load`,
      });
      expect(proxy.count(SEARCH) - before).toBe(4);
    });

    it('stops after 3 retries with exponential backoff of an engine that keeps answering 503', async () => {
      proxy.inject({ kind: 'answer', status: 503, body: '' }, { path: SEARCH });
      const before = proxy.count(SEARCH);
      await expect(traceThrough(cliClient(proxy.url), index)).rejects.toMatchObject({
        kind: 'overloaded',
        message: `${proxy.url} is overloaded: HTTP 503 after 4 attempts; try again later, or narrow the query (time range, index pattern) to lighten its load`,
      });
      expect(proxy.count(SEARCH) - before).toBe(4);
    });

    it('does not wait when the engine asks for longer than the client waits', async () => {
      proxy.inject({ kind: 'answer', status: 503, body: '', headers: { 'retry-after': '120' } }, { path: SEARCH });
      const before = proxy.count(SEARCH);
      await expect(traceThrough(cliClient(proxy.url), index)).rejects.toMatchObject({
        kind: 'overloaded',
        message: `${proxy.url} is overloaded: HTTP 503, and it asks to wait 120 s before trying again (more than the 30 s this client waits); try again later`,
      });
      expect(proxy.count(SEARCH) - before).toBe(1);
    });

    it('never sends a bulk write twice: a 429 on _bulk fails the ingest at once', async () => {
      const target = uniqueIndex('faults-bulk');
      proxy.inject({ kind: 'answer', status: 429, body: REJECTED }, { path: /\/_bulk\b/ });
      const before = proxy.count(/\/_bulk\b/);
      try {
        await expect(ingest(cliClient(proxy.url), { schema: otelSchema, index: target, spans: small, logs: [] })).rejects.toMatchObject({
          kind: 'overloaded',
          message: `${proxy.url} is overloaded (HTTP 429: rejected execution of coordinating operation): try again later`,
        });
        expect(proxy.count(/\/_bulk\b/) - before).toBe(1);
      } finally {
        await deleteMatching(engine.url, `${target}*`);
      }
    });

    itWhere(engine, searchNeeds('otel'))('warns, in the trace and in search results, when shards failed', async () => {
      const failedShard = (answer: Record<string, unknown>) => ({
        ...answer,
        _shards: { total: 2, successful: 1, skipped: 0, failed: 1, failures: [{ shard: 1, index, reason: { type: 'node_disconnected_exception', reason: 'node left the cluster' } }] },
      });
      proxy.inject({ kind: 'rewrite', edit: failedShard }, { path: SEARCH });
      const warning = `1 of 2 shards failed, so results may be incomplete (${index}: node left the cluster)`;
      const client = cliClient(proxy.url);
      const trace = await traceThrough(client, index);
      expect(trace.rows).toHaveLength(small.length);
      expect(trace.notices.map((notice) => notice.text)).toContain(warning);
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const found = await searchTraces(client, { resolution, window: undefined, request: parseSearchInput({ limit: 5 }) });
      expect(found.warnings).toContain(warning);
    });

    it('says a JSON answer was cut off, without showing it', async () => {
      proxy.inject({ kind: 'truncate' }, { path: SEARCH, times: 1 });
      const failure = traceThrough(cliClient(proxy.url), index);
      await expect(failure).rejects.toMatchObject({ kind: 'bad_response' });
      await expect(failure).rejects.toThrow(
        new RegExp(`^${proxy.url} answered POST /${index}[^ ]*/_search with JSON cut off after \\d+ characters: the connection was interrupted, or something between here and the engine limits the answer size; try again$`)
      );
    });

    it('names the HTML error page of a proxy in front of the engine by its title, without the page', async () => {
      proxy.inject(html(502, NGINX_502));
      await expect(traceThrough(cliClient(proxy.url), index)).rejects.toMatchObject({
        kind: 'unreachable',
        message: `${proxy.url} is not available (HTTP 502, an HTML page ("502 Bad Gateway") from a proxy in front of the engine): check that the engine behind it is running and healthy`,
      });
    });

    it('says a URL that answers with HTML pages is not an engine', async () => {
      proxy.inject(html(404, NGINX_404));
      await expect(traceThrough(cliClient(proxy.url), index)).rejects.toMatchObject({
        kind: 'bad_response',
        message: `${proxy.url} answered HTTP 404 with an HTML page ("404 Not Found"), not the engine's JSON: this URL does not look like Elasticsearch or OpenSearch; check the URL`,
      });
    });

    it('says a URL whose JSON is not an engine\'s does not look like Elasticsearch or OpenSearch', async () => {
      proxy.inject({ kind: 'answer', status: 200, body: '{"hello":"world"}' });
      const client = cliClient(proxy.url);
      await expect(traceThrough(client, index)).rejects.toMatchObject({
        kind: 'bad_response',
        message: `${proxy.url} does not look like Elasticsearch or OpenSearch: its answer to GET /${index}*/_mapping has no 'mappings' for each index; check the URL`,
      });
      await expect(client.search(index, { size: 1 })).rejects.toMatchObject({
        message: `${proxy.url} does not look like Elasticsearch or OpenSearch: its answer to POST /${index}/_search has no 'took', '_shards' or 'hits'; check the URL`,
      });
      await expect(client.info()).rejects.toMatchObject({ message: `${proxy.url} does not look like Elasticsearch or OpenSearch: its root answer has no version number` });
    });

    it('stops paging a large trace once the client is aborted: no request after the one in flight', async () => {
      let release: () => void = () => undefined;
      proxy.inject({ kind: 'forward' }, { path: SEARCH, times: 1 });
      proxy.inject({ kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) }, { path: SEARCH, times: 1 });
      const controller = new AbortController();
      const client = cliClient(proxy.url).withSignal(controller.signal);
      const resolution = await resolvePattern(client, `${index}*`, 'auto');
      const before = proxy.count(SEARCH);
      const abandoned = proxy.abandoned;
      const query = runTraceQuery(client, { traceId: largeTraceId, resolution, maxSpans: 100_000 });
      await proxy.until((p) => p.count(SEARCH) === before + 2);
      controller.abort();
      await expect(query).rejects.toMatchObject({ kind: 'cancelled' });
      await proxy.until((p) => p.abandoned > abandoned);
      release();
      expect(proxy.count(SEARCH)).toBe(before + 2);
      await expect(client.search(index, { size: 1 })).rejects.toMatchObject({ kind: 'cancelled' });
      expect(proxy.count(SEARCH)).toBe(before + 2);
    });
  });

  describe('the data source (Grafana transport over backendSrv)', () => {
    it('returns a trace through real HTTP', async () => {
      const response = await lastValueFrom(dataSourceThrough(proxy, index).query(traceRequest(smallTraceId)));
      expect(response.errors).toBeUndefined();
      expect(spanIds(response)).toEqual(sortedIds(small));
    });

    it('gives up on a stalled answer at "Request timeout", cancelling the request', async () => {
      proxy.inject({ kind: 'stall' }, { path: SEARCH, times: 1 });
      const abandoned = proxy.abandoned;
      const response = await lastValueFrom(dataSourceThrough(proxy, index, { timeoutSeconds: 0.3 }).query(traceRequest(smallTraceId)));
      expect(response.errors).toEqual([
        { refId: 'A', message: `the engine of data source 'Faults' did not answer within 300 ms: narrow the time range or raise "Request timeout" in the data source settings` },
      ]);
      await proxy.until((p) => p.abandoned > abandoned);
    });

    it('retries a search answered 503 (no Retry-After) and 429 (Retry-After 0), then shows the trace', async () => {
      proxy.inject({ kind: 'answer', status: 503, body: '' }, { path: SEARCH, times: 1 });
      proxy.inject({ kind: 'answer', status: 429, body: REJECTED, headers: { 'retry-after': '0' } }, { path: SEARCH, times: 1 });
      const before = proxy.count(SEARCH);
      const response = await lastValueFrom(dataSourceThrough(proxy, index).query(traceRequest(smallTraceId)));
      expect(response.errors).toBeUndefined();
      expect(spanIds(response)).toEqual(sortedIds(small));
      expect(proxy.count(SEARCH) - before).toBe(cleanSearches + 2);
    });

    it('shows a short message when the engine stays overloaded', async () => {
      proxy.inject({ kind: 'answer', status: 429, body: REJECTED, headers: { 'retry-after': '0' } }, { path: SEARCH });
      const response = await lastValueFrom(dataSourceThrough(proxy, index).query(traceRequest(smallTraceId)));
      expect(response.errors).toEqual([
        {
          refId: 'A',
          message: `the engine of data source 'Faults' is overloaded: HTTP 429 after 4 attempts (rejected execution of coordinating operation); try again later, or narrow the query (time range, index pattern) to lighten its load`,
        },
      ]);
    });

    it('names an HTML error page by its title in the panel, without the page', async () => {
      proxy.inject(html(502, NGINX_502));
      const response = await lastValueFrom(dataSourceThrough(proxy, index).query(traceRequest(smallTraceId)));
      expect(response.errors).toEqual([
        { refId: 'A', message: `the engine of data source 'Faults' is not available (HTTP 502, an HTML page ("502 Bad Gateway") from a proxy in front of the engine): check that the engine behind it is running and healthy` },
      ]);
    });

    it('says a JSON answer was cut off', async () => {
      proxy.inject({ kind: 'truncate' }, { path: SEARCH, times: 1 });
      const response = await lastValueFrom(dataSourceThrough(proxy, index).query(traceRequest(smallTraceId)));
      expect(response.errors?.[0].message).toMatch(
        new RegExp(`^the engine of data source 'Faults' answered POST /${index}[^ ]*/_search with JSON cut off after \\d+ characters: the connection was interrupted, or something between here and the engine limits the answer size; try again$`)
      );
    });

    it('shows failed shards as a warning on the trace', async () => {
      proxy.inject({ kind: 'rewrite', edit: (answer) => ({ ...answer, _shards: { total: 3, successful: 2, failed: 1, failures: [{ index, reason: { type: 'x', reason: 'too many clauses' } }] } }) }, { path: SEARCH });
      const response = await lastValueFrom(dataSourceThrough(proxy, index).query(traceRequest(smallTraceId)));
      expect(response.errors).toBeUndefined();
      expect(spanIds(response)).toEqual(sortedIds(small));
      expect(response.data[0].meta.notices).toContainEqual({ severity: 'warning', text: `1 of 3 shards failed, so results may be incomplete (${index}: too many clauses)` });
    });

    it('shows the spans loaded so far while a trace of several pages loads, then the whole trace', async () => {
      const ds = dataSourceThrough(proxy, index);
      // Shown after every page, so the test does not depend on how long a page takes.
      ds.streaming = { ...ds.streaming, afterMs: 0, everyMs: 0 };
      const responses = await lastValueFrom(ds.query(traceRequest(largeTraceId)).pipe(toArray()));
      const partial = responses.slice(0, -1);
      const final = responses[responses.length - 1];
      expect(partial.length).toBeGreaterThan(0);
      for (const response of partial) {
        expect(response.state).toBe(LoadingState.Streaming);
        const loaded = spanIds(response).length;
        expect(loaded).toBeLessThan(large.length);
        expect(response.data[0].meta.notices).toEqual([{ severity: 'info', text: `loaded ${loaded} of ${large.length} spans; the rest is loading` }]);
      }
      expect(final.state).toBe(LoadingState.Done);
      expect(spanIds(final)).toEqual(sortedIds(large));
    });

    it('stops paging when Grafana unsubscribes, shows nothing for the cancelled query, and answers the query that replaced it', async () => {
      let release: () => void = () => undefined;
      proxy.inject({ kind: 'forward' }, { path: SEARCH, times: 1 });
      proxy.inject({ kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) }, { path: SEARCH, times: 1 });
      const ds = dataSourceThrough(proxy, index);
      // However slow the machine, the first page is not shown while it loads: this query shows nothing at all.
      ds.streaming = { ...ds.streaming, afterMs: Infinity };
      const seen: string[] = [];
      const before = proxy.received.length;
      const searches = proxy.count(SEARCH);
      const abandoned = proxy.abandoned;
      const subscription = ds.query(traceRequest(largeTraceId)).subscribe({ next: () => seen.push('next'), error: () => seen.push('error'), complete: () => seen.push('complete') });
      // The first page arrived (the second is asked for as soon as it does): cancel while the second is held.
      await proxy.until((p) => p.count(SEARCH) === searches + 2);
      subscription.unsubscribe();
      await proxy.until((p) => p.abandoned > abandoned);
      release();
      const cancelledAt = proxy.received.length;
      // The query that replaces it runs to the end; by then the cancelled one has long stopped.
      const replacement = await lastValueFrom(ds.query(traceRequest(smallTraceId)));
      expect(spanIds(replacement)).toEqual(sortedIds(small));
      expect(seen).toEqual([]);
      const largeTraceSearches = proxy.received.slice(before).filter((r) => SEARCH.test(r.path) && r.body.includes(largeTraceId));
      expect(largeTraceSearches).toHaveLength(2);
      expect(proxy.received.slice(cancelledAt).every((r) => !r.body.includes(largeTraceId))).toBe(true);
    });
  });

  describe('the estraces command line', () => {
    const PASSWORD = 's3cret-Pa55';
    let stdout: string;
    let stderr: string;
    let saved: NodeJS.ProcessEnv;

    beforeEach(() => {
      saved = { ...process.env };
      delete process.env.ESTRACES_USERNAME;
      delete process.env.ESTRACES_PASSWORD;
      delete process.env.ESTRACES_API_KEY;
      delete process.env.ESTRACES_TIMEOUT_MS;
      stdout = '';
      stderr = '';
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    });

    afterEach(() => {
      jest.restoreAllMocks();
      process.env = saved;
    });

    const withUser = (url: string) => url.replace('http://', `http://estraces-user:${encodeURIComponent(PASSWORD)}@`);

    it('sends user:password in --url as basic auth and never prints the password', async () => {
      const before = proxy.received.length;
      const code = await main(['trace', smallTraceId, '--url', withUser(proxy.url), '--index', `${index}*`]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect((JSON.parse(stdout) as { spans: unknown[] }).spans).toHaveLength(small.length);
      const sent = proxy.received.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((r) => r.headers.authorization === `Basic ${Buffer.from(`estraces-user:${PASSWORD}`).toString('base64')}`)).toBe(true);
      expect(stdout).not.toContain(PASSWORD);
    });

    it('names the URL without its user info when the engine cannot be reached or refuses the credentials', async () => {
      const closed = await FaultProxy.start(engine.url);
      const url = closed.url;
      await closed.close();
      expect(await main(['trace', smallTraceId, '--url', withUser(url), '--index', `${index}*`])).toBe(1);
      expect(stderr).toBe(`estraces: cannot reach ${url} (ECONNREFUSED): check the URL and that the engine is running\n`);

      stderr = '';
      proxy.inject({ kind: 'answer', status: 401, body: '{"error":{"type":"security_exception","reason":"unable to authenticate user [estraces-user]"},"status":401}' });
      expect(await main(['trace', smallTraceId, '--url', withUser(proxy.url), '--index', `${index}*`])).toBe(1);
      expect(stderr).toMatch(new RegExp(`^estraces: ${proxy.url} refused the request \\(HTTP 401: unable to authenticate user \\[estraces-user\\]\\): check the credentials`));
      expect(stdout + stderr).not.toContain(PASSWORD);

      // https loads TLS only when a URL asks for it; an engine answering plain HTTP there is named as such.
      stderr = '';
      const https = proxy.url.replace(/^http:/, 'https:');
      expect(await main(['trace', smallTraceId, '--url', withUser(https), '--index', `${index}*`])).toBe(1);
      expect(stderr).toMatch(new RegExp(`^estraces: cannot reach ${https.replace(/\./g, '\\.')} \\((EPROTO|ERR_SSL_WRONG_VERSION_NUMBER)\\): no TLS answer there; if the engine serves plain HTTP, use an http:// URL\n$`));
      expect(stdout + stderr).not.toContain(PASSWORD);
    });

    it('refuses an API key beside a user and password, and a timeout that is not a number, naming the variable', async () => {
      process.env.ESTRACES_API_KEY = 'a2V5';
      expect(await main(['trace', smallTraceId, '--url', withUser(proxy.url), '--index', `${index}*`])).toBe(1);
      expect(stderr).toBe('estraces: both ESTRACES_API_KEY and a user/password (the user info in --url) are set: use one way to authenticate, not both\n');
      delete process.env.ESTRACES_API_KEY;

      stderr = '';
      process.env.ESTRACES_TIMEOUT_MS = 'abc';
      expect(await main(['trace', smallTraceId, '--url', proxy.url, '--index', `${index}*`])).toBe(1);
      expect(stderr).toBe("estraces: ESTRACES_TIMEOUT_MS must be a whole number of milliseconds from 1 to 2147483647 (got 'abc'), e.g. ESTRACES_TIMEOUT_MS=120000 for two minutes\n");
    });
  });
});
