import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { EngineError, engineErrorFromResponse } from './errors';
import type { EngineRequest, EngineTransport } from './transport';

/**
 * The browser transport: every request goes through Grafana's data source proxy (the instance
 * URL), which adds the configured authentication, so no secret ever reaches the browser.
 */
export function createGrafanaTransport(proxyUrl: string, engineName: string, timeoutMs = 60_000): EngineTransport {
  const base = proxyUrl.replace(/\/+$/, '');

  async function request<T>(req: EngineRequest): Promise<T> {
    const headers: Record<string, string> = {};
    if (req.body !== undefined) {
      headers['Content-Type'] = typeof req.body === 'string' ? (req.contentType ?? 'application/json') : 'application/json';
    }
    const call = getBackendSrv().fetch<T>({
      url: base + req.path,
      method: req.method,
      data: req.body,
      headers,
      showErrorAlert: false,
      showSuccessAlert: false,
      hideFromInspector: false,
    });
    try {
      const response = await withTimeout(lastValueFrom(call), timeoutMs, engineName);
      return response.data;
    } catch (error) {
      throw toEngineError(error, engineName);
    }
  }

  return { request, description: engineName };
}

function toEngineError(error: unknown, engineName: string): EngineError {
  if (error instanceof EngineError) {
    return error;
  }
  if (isFetchError(error)) {
    if (error.status === 0 || error.status === undefined) {
      return new EngineError('unreachable', `cannot reach ${engineName} through Grafana's data source proxy: check the URL in the data source settings`);
    }
    return engineErrorFromResponse(error.status, error.data ?? error.statusText, engineName);
  }
  return new EngineError('unreachable', `request to ${engineName} failed: ${(error as Error)?.message ?? String(error)}`);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, engineName: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new EngineError('timeout', `${engineName} did not answer within ${Math.round(timeoutMs / 1000)} s: narrow the time range or raise the timeout in the data source settings`)),
      timeoutMs
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
