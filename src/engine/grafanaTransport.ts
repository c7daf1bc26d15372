import { type FetchResponse, getBackendSrv, isFetchError } from '@grafana/runtime';
import type { Subscription } from 'rxjs';

import { cancelledError, EngineError, engineErrorFromResponse, formatDelay, nonJsonBodyError } from './errors';
import { type RetryPolicy, withRetries } from './retry';
import type { EngineRequest, EngineTransport } from './transport';

/**
 * The browser transport: every request goes through Grafana's data source proxy (the instance
 * URL), which adds the configured authentication, so no secret ever reaches the browser.
 * Unsubscribing from backendSrv.fetch cancels its HTTP request, so a timeout or an aborted signal
 * unsubscribes rather than leaving the request running. Reads are retried on 429 and 503.
 */
export function createGrafanaTransport(proxyUrl: string, engineName: string, timeoutMs = 60_000, retry?: Partial<RetryPolicy>): EngineTransport {
  const base = proxyUrl.replace(/\/+$/, '');

  async function request<T>(req: EngineRequest): Promise<T> {
    const headers: Record<string, string> = {};
    if (req.body !== undefined) {
      headers['Content-Type'] = typeof req.body === 'string' ? (req.contentType ?? 'application/json') : 'application/json';
    }
    let response: FetchResponse<unknown>;
    try {
      response = await send(req, headers);
    } catch (error) {
      throw toEngineError(error, engineName);
    }
    // Grafana hands over the text when a body does not parse as JSON.
    if (typeof response.data === 'string' && response.data !== '' && req.method !== 'HEAD') {
      throw nonJsonBodyError(engineName, req.method, req.path, response.data);
    }
    return response.data as T;
  }

  function send(req: EngineRequest, headers: Record<string, string>): Promise<FetchResponse<unknown>> {
    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) {
        reject(cancelledError(engineName));
        return;
      }
      let last: FetchResponse<unknown> | undefined;
      let subscription: Subscription | undefined;
      let done = false;
      const finish = (settle: () => void) => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          req.signal?.removeEventListener('abort', onAbort);
          subscription?.unsubscribe();
          settle();
        }
      };
      const onAbort = () => finish(() => reject(cancelledError(engineName)));
      const timer = setTimeout(
        () => finish(() => reject(new EngineError('timeout', `${engineName} did not answer within ${formatDelay(timeoutMs)}: narrow the time range or raise "Request timeout" in the data source settings`))),
        timeoutMs
      );
      req.signal?.addEventListener('abort', onAbort, { once: true });
      subscription = getBackendSrv()
        .fetch<unknown>({ url: base + req.path, method: req.method, data: req.body, headers, showErrorAlert: false, showSuccessAlert: false, hideFromInspector: false })
        .subscribe({
          next: (value) => (last = value),
          error: (error: unknown) => finish(() => reject(error)),
          complete: () => finish(() => (last ? resolve(last) : reject(new EngineError('bad_response', `${engineName} sent no answer through Grafana's data source proxy`)))),
        });
      if (done) {
        subscription.unsubscribe();
      }
    });
  }

  return withRetries({ request, description: engineName }, retry);
}

/** Retry-After of a failed answer, where Grafana passes the answer's headers along with the error. */
function retryAfterOf(error: object): string | undefined {
  const headers = (error as { headers?: { get?: (name: string) => string | null } }).headers;
  return typeof headers?.get === 'function' ? (headers.get('retry-after') ?? undefined) : undefined;
}

function toEngineError(error: unknown, engineName: string): EngineError {
  if (error instanceof EngineError) {
    return error;
  }
  if (isFetchError(error)) {
    if (error.cancelled) {
      return cancelledError(engineName);
    }
    if (error.status === 0 || error.status === undefined) {
      return new EngineError('unreachable', `cannot reach ${engineName} through Grafana's data source proxy: check the URL in the data source settings`);
    }
    return engineErrorFromResponse(error.status, error.data ?? error.statusText, engineName, retryAfterOf(error));
  }
  return new EngineError('unreachable', `request to ${engineName} failed: ${(error as Error)?.message ?? String(error)}`);
}
