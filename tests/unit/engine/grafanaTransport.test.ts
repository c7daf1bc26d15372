import { NEVER, of, throwError } from 'rxjs';

import { createGrafanaTransport } from '../../../src/engine/grafanaTransport';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

beforeEach(() => fetch.mockReset());

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
    await expect(transport.request({ method: 'GET', path: '/x/_mapping' })).rejects.toMatchObject({ kind: 'index_not_found', message: 'ES Traces: no such index [x]: check the index pattern in the data source settings' });
  });

  it('says the engine cannot be reached when the proxy gets no answer', async () => {
    fetch.mockReturnValue(throwError(() => ({ status: 502, data: 'Bad Gateway', statusText: 'Bad Gateway' })));
    const transport = createGrafanaTransport('/proxy', 'ES Traces');
    await expect(transport.request({ method: 'GET', path: '/' })).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('gives up after the timeout with a message that says what to do', async () => {
    fetch.mockReturnValue(NEVER);
    const transport = createGrafanaTransport('/proxy', 'ES Traces', 20);
    await expect(transport.request({ method: 'GET', path: '/' })).rejects.toMatchObject({ kind: 'timeout', message: 'ES Traces did not answer within 0 s: narrow the time range or raise the timeout in the data source settings' });
  });
});
