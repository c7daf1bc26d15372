import { type CredentialNames, resolveEndpoint } from './endpoint';
import { cancelledError, EngineError, engineErrorFromResponse, formatDelay, nonJsonBodyError } from './errors';
import { type RetryPolicy, withRetries } from './retry';
import type { EngineRequest, EngineTransport } from './transport';

export interface NodeTransportOptions {
  /** The engine URL; `user:password@` in it is sent as basic auth and never shown. */
  url: string;
  username?: string;
  password?: string;
  apiKey?: string;
  timeoutMs?: number;
  /** How messages name the credential sources (the CLI names its flag and environment variables). */
  credentialNames?: CredentialNames;
  /** How a user raises the timeout, for the timeout message (e.g. `ESTRACES_TIMEOUT_MS`). */
  timeoutSetting?: string;
  retry?: Partial<RetryPolicy>;
}

/**
 * The Node transport (CLI, tests, benchmarks): plain fetch, no client library. Reads are retried
 * on 429 and 503 (see retry.ts). Throws EngineError 'config' at once for a bad URL or ambiguous
 * credentials.
 */
export function createNodeTransport(options: NodeTransportOptions): EngineTransport {
  const { base, authorization } = resolveEndpoint(options, options.credentialNames);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const raiseTimeout = options.timeoutSetting ? `raise ${options.timeoutSetting}` : 'raise the timeout';

  async function request<T>(req: EngineRequest): Promise<T> {
    if (req.signal?.aborted) {
      throw cancelledError(base);
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authorization) {
      headers.authorization = authorization;
    }
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const failure = (error: unknown, reading: boolean) => {
      if (req.signal?.aborted) {
        return cancelledError(base);
      }
      if (timeout.aborted) {
        return new EngineError('timeout', `${base} did not answer within ${formatDelay(timeoutMs)}: the engine is overloaded or the query is too broad; narrow the time range or ${raiseTimeout}`);
      }
      return networkFailure(error, base, reading);
    };
    let response: Response;
    let text: string;
    try {
      response = await fetch(base + req.path, { method: req.method, headers, body, signal });
    } catch (error) {
      throw failure(error, false);
    }
    try {
      text = await response.text();
    } catch (error) {
      throw failure(error, true);
    }
    const parsed = parseBody(text);
    if (!response.ok) {
      throw engineErrorFromResponse(response.status, parsed ?? text, base, response.headers.get('retry-after') ?? undefined);
    }
    if (parsed === undefined && req.method !== 'HEAD') {
      throw nonJsonBodyError(base, req.method, req.path, text);
    }
    return parsed as T;
  }

  return withRetries({ request, description: base }, options.retry);
}

function parseBody(text: string): unknown {
  if (text === '') {
    return {};
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What fetch (undici) reports when it cannot connect, or when the connection drops mid-answer. */
function networkFailure(error: unknown, base: string, reading: boolean): EngineError {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = (error as Error)?.message ?? String(error);
  if (reading) {
    return new EngineError(
      'unreachable',
      `the connection to ${base} broke while its answer was arriving (${cause?.message ?? cause?.code ?? message}): try again; if it keeps happening, check the network and any proxy between here and the engine`
    );
  }
  const detail = cause?.code ?? cause?.message ?? message;
  return new EngineError('unreachable', `cannot reach ${base} (${detail}): check the URL and that the engine is running`);
}
