import { Observable, of, throwError } from 'rxjs';

import { createGrafanaTransport } from '../../../src/engine/grafanaTransport';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

beforeEach(() => fetch.mockReset());

/** An answer that never comes, and says whether its subscriber went away (which cancels the HTTP request in Grafana). */
function pending(): { observable: Observable<never>; unsubscribed: () => boolean } {
  let unsubscribed = false;
  const observable = new Observable<never>(() => () => (unsubscribed = true));
  return { observable, unsubscribed: () => unsubscribed };
}

describe('the Grafana data source proxy transport', () => {
  it('sends requests below the proxy URL, bodies as given, and returns the answer', async () => {
    fetch.mockReturnValue(of({ data: { hits: { hits: [] } }, status: 200 }));
    const transport = createGrafanaTransport('/api/datasources/proxy/uid/es/', 'ES Traces');
    const answer = await transport.request({ method: 'POST', path: '/_bulk', body: '{"create":{}}\n{}\n', contentType: 'application/x-ndjson' });
    expect(answer).toEqual({ hits: { hits: [] } });
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({ url: '/api/datasources/proxy/uid/es/_bulk', method: 'POST', data: '{"create":{}}\n{}\n', headers: { 'Content-Type': 'application/x-ndjson' }, showErrorAlert: false })
    );
  });

  it('turns an engine error passed through the proxy into a typed error', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 404, data: { error: { type: 'index_not_found_exception', reason: 'no such index [x]' } }, statusText: 'Not Found' })));
    const transport = createGrafanaTransport('/proxy', 'ES Traces');
    await expect(transport.request({ method: 'GET', path: '/x/_mapping' })).rejects.toMatchObject({ kind: 'index_not_found', message: 'ES Traces: no such index [x]: check the index pattern (in the data source settings, or --index on the command line)' });
  });

  it('says the engine cannot be reached when the proxy gets no answer', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 502, data: 'Bad Gateway', statusText: 'Bad Gateway' })));
    const transport = createGrafanaTransport('/proxy', 'ES Traces');
    await expect(transport.request({ method: 'GET', path: '/' })).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('gives up after the timeout, cancels the request, and names the setting to raise', async () => {
    const answer = pending();
    fetch.mockReturnValue(answer.observable);
    jest.useFakeTimers();
    try {
      const transport = createGrafanaTransport('/proxy', 'ES Traces', 20);
      const request = transport.request({ method: 'GET', path: '/' });
      const settled = expect(request).rejects.toMatchObject({
        kind: 'timeout',
        message: 'ES Traces did not answer within 20 ms: narrow the time range or raise "Request timeout" in the data source settings',
      });
      await jest.advanceTimersByTimeAsync(20);
      await settled;
      expect(answer.unsubscribed()).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('cancels the request when its signal aborts, and sends none once aborted', async () => {
    const answer = pending();
    fetch.mockReturnValue(answer.observable);
    const transport = createGrafanaTransport('/proxy', 'ES Traces');
    const controller = new AbortController();
    const request = transport.request({ method: 'POST', path: '/t/_search', body: {}, signal: controller.signal });
    controller.abort();
    await expect(request).rejects.toMatchObject({ kind: 'cancelled', message: 'the request to ES Traces was cancelled' });
    expect(answer.unsubscribed()).toBe(true);
    fetch.mockClear();
    await expect(transport.request({ method: 'GET', path: '/', signal: controller.signal })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('retries a read answered 429, waiting as the Retry-After header Grafana passes along asks', async () => {
    fetch
      .mockReturnValueOnce(throwError(() => ({ status: 429, statusText: 'Too Many Requests', data: { error: { type: 'es_rejected_execution_exception', reason: 'busy' } }, headers: new Headers({ 'retry-after': '0' }) })))
      .mockReturnValueOnce(of({ data: { took: 1, hits: { hits: [] } }, status: 200 }));
    const transport = createGrafanaTransport('/proxy', 'ES Traces');
    await expect(transport.request({ method: 'POST', path: '/t/_search', body: {} })).resolves.toEqual({ took: 1, hits: { hits: [] } });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('names an HTML page or cut-off JSON that Grafana handed over as text, without dumping it', async () => {
    const transport = createGrafanaTransport('/proxy', 'ES Traces');
    fetch.mockReturnValueOnce(of({ data: '<!DOCTYPE html><html><head><title>Grafana</title></head><body>...</body></html>', status: 200 }));
    await expect(transport.request({ method: 'GET', path: '/t/_mapping?x=1' })).rejects.toMatchObject({
      kind: 'bad_response',
      message: 'ES Traces answered GET /t/_mapping with an HTML page ("Grafana"), not JSON: this URL does not look like Elasticsearch or OpenSearch; check the URL',
    });
    fetch.mockReturnValueOnce(of({ data: '{"took":3,"hits":{"hits":[{"_id":', status: 200 }));
    await expect(transport.request({ method: 'POST', path: '/t/_search', body: {} })).rejects.toMatchObject({
      kind: 'bad_response',
      message: 'ES Traces answered POST /t/_search with JSON cut off after 33 characters: the connection was interrupted, or something between here and the engine limits the answer size; try again',
    });
  });

  it('rejects an answer stream that completes without an answer', async () => {
    fetch.mockReturnValue(of());
    await expect(createGrafanaTransport('/proxy', 'ES Traces').request({ method: 'GET', path: '/' })).rejects.toMatchObject({ kind: 'bad_response' });
  });
});
