import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';

import { type CredentialNames, resolveEndpoint } from './endpoint';
import { cancelledError, EngineError, engineErrorFromResponse, formatDelay, nonJsonBodyError } from './errors';
import { type RetryPolicy, withRetries } from './retry';
import type { EngineRequest, EngineTransport } from './transport';

/** node:https, loaded only for an https URL: it brings TLS, about 10 ms of a command's start. */
const httpsRequest = (): typeof import('node:https').request => (require('node:https') as typeof import('node:https')).request;

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

/** A plain answer: status, headers and the body as text. */
interface Answer {
  status: number;
  retryAfter?: string;
  text: string;
}

/** Where a request failed: before the answer began (`sending`), or while its body arrived (`reading`). */
class TransportFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly reading: boolean
  ) {
    super('transport failure');
  }
}

/**
 * One request with node:http(s), its answer read whole (gunzipped or inflated when the engine
 * compressed it). node:http, not fetch: fetch's first request in a process pays for loading undici
 * and compiling its WebAssembly parser, which a command line that makes two or three requests feels.
 */
function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest() : httpRequest)(url, { method, headers, signal }, (response: IncomingMessage) => {
      const encoding = response.headers['content-encoding'];
      const stream = encoding === 'gzip' ? response.pipe(createGunzip()) : encoding === 'deflate' ? response.pipe(createInflate()) : response;
      const chunks: Buffer[] = [];
      const broke = (error: unknown) => reject(new TransportFailure(error, true));
      response.on('aborted', () => broke(new Error('the connection closed before the answer was complete')));
      response.on('error', broke);
      stream.on('error', broke);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (!response.complete) {
          broke(new Error('the connection closed before the answer was complete'));
          return;
        }
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', (error) => reject(new TransportFailure(error, false)));
    request.end(body);
  });
}

/**
 * The Node transport (CLI, tests, benchmarks): node:http, no client library. Reads are retried
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
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'gzip, deflate' };
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
    let answer: Answer;
    try {
      answer = await send(new URL(base + req.path), req.method, headers, body, signal);
    } catch (error) {
      throw error instanceof TransportFailure ? failure(error.error, error.reading) : failure(error, false);
    }
    const { text } = answer;
    const parsed = parseBody(text);
    if (answer.status < 200 || answer.status > 299) {
      throw engineErrorFromResponse(answer.status, parsed ?? text, base, answer.retryAfter);
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

/** What node:http reports when it cannot connect, or when the connection drops mid-answer. */
function networkFailure(error: unknown, base: string, reading: boolean): EngineError {
  const code = (error as { code?: unknown })?.code;
  const message = (error as Error)?.message ?? String(error);
  if (reading) {
    return new EngineError(
      'unreachable',
      `the connection to ${base} broke while its answer was arriving (${message}): try again; if it keeps happening, check the network and any proxy between here and the engine`
    );
  }
  // An AggregateError (every address of a name refused) carries the code of the first.
  const first = (error as { errors?: Array<{ code?: unknown }> })?.errors?.[0]?.code;
  const detail = typeof code === 'string' ? code : typeof first === 'string' ? first : message;
  if (base.startsWith('https:') && (detail === 'EPROTO' || detail === 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    return new EngineError('unreachable', `cannot reach ${base} (${detail}): no TLS answer there; if the engine serves plain HTTP, use an http:// URL`);
  }
  return new EngineError('unreachable', `cannot reach ${base} (${detail}): check the URL and that the engine is running`);
}
