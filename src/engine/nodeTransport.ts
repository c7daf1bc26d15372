import { EngineError, engineErrorFromResponse } from './errors';
import type { EngineRequest, EngineTransport } from './transport';

export interface NodeTransportOptions {
  url: string;
  username?: string;
  password?: string;
  apiKey?: string;
  timeoutMs?: number;
}

/** The Node transport (CLI, tests, benchmarks): plain fetch, no client library. */
export function createNodeTransport(options: NodeTransportOptions): EngineTransport {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const auth = authorizationHeader(options);

  async function request<T>(req: EngineRequest): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth) {
      headers.authorization = auth;
    }
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    let response: Response;
    try {
      response = await fetch(base + req.path, { method: req.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw transportFailure(error, base, timeoutMs);
    }
    const text = await response.text();
    const parsed = parseBody(text);
    if (!response.ok) {
      throw engineErrorFromResponse(response.status, parsed ?? text, base);
    }
    if (parsed === undefined && req.method !== 'HEAD') {
      throw new EngineError('bad_response', `${base} answered ${req.method} ${req.path} with a body that is not JSON: is this URL an Elasticsearch or OpenSearch endpoint?`);
    }
    return parsed as T;
  }

  return { request, description: base };
}

function authorizationHeader(options: NodeTransportOptions): string | undefined {
  if (options.apiKey) {
    return `ApiKey ${options.apiKey}`;
  }
  if (options.username !== undefined) {
    return `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }
  return undefined;
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

function transportFailure(error: unknown, base: string, timeoutMs: number): EngineError {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new EngineError('timeout', `${base} did not answer within ${Math.round(timeoutMs / 1000)} s: the engine is overloaded or the query is too broad; narrow the time range or raise the timeout`);
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new EngineError('unreachable', `cannot reach ${base} (${detail}): check the URL and that the engine is running`);
}
