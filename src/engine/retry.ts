/**
 * Bounded retries of reads the engine turned away for load (429, 503), with exponential backoff
 * and jitter, honouring Retry-After up to a cap. Only reads are retried: a `_bulk` may carry
 * documents without ids (ingest's `engineIds`, as an exporter's retry writes them), so sending one
 * again could store copies, and its 429s come per item inside a 200 anyway; index writes are not
 * retried either.
 */
import { cancelledError, EngineError, formatDelay, isEngineError } from './errors';
import type { EngineRequest, EngineTransport } from './transport';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The first backoff; each next one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is not waited for: the request fails at once, saying how long the engine asked for. */
  maxRetryAfterMs: number;
  random: () => number;
  now: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 5_000, maxRetryAfterMs: 30_000, random: Math.random, now: Date.now };

const RETRIED_STATUSES = new Set([429, 503]);
/** Endpoints a POST only reads from. */
const READ_ENDPOINTS = new Set(['_search', '_msearch', '_count', '_field_caps', '_mapping', '_mappings', '_validate', '_explain', '_terms_enum']);

/** Whether sending the request again cannot change the engine's data. */
export function isRetryableRead(request: EngineRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') {
    return true;
  }
  if (request.method !== 'POST') {
    return false;
  }
  const segments = request.path.split('?')[0].split('/');
  return segments.some((segment) => READ_ENDPOINTS.has(segment));
}

/** Milliseconds a Retry-After header asks to wait (delta seconds or an HTTP date), or undefined when it says nothing usable. */
export function retryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) {
    return undefined;
  }
  if (/^\d+$/.test(value)) {
    return Number(value) * 1000;
  }
  // HTTP dates start with the day's name; Date.parse alone would take '-1' for a year.
  const date = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Exponential backoff with equal jitter: half the step fixed, half random, so clients spread out. */
export function backoffDelayMs(retry: number, policy: RetryPolicy): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return step / 2 + policy.random() * (step / 2);
}

/** The wait before retry number `retry` (0-based) after `error`, or undefined to give up. */
function delayBefore(error: EngineError, retry: number, policy: RetryPolicy): { ms: number } | { tooLongMs: number } {
  const asked = retryAfterMs(error.detail.retryAfter, policy.now());
  if (asked === undefined) {
    return { ms: backoffDelayMs(retry, policy) };
  }
  return asked > policy.maxRetryAfterMs ? { tooLongMs: asked } : { ms: asked };
}

function sleep(ms: number, signal: AbortSignal | undefined, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError(where));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(where));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function overloaded(error: EngineError, attempts: number, where: string): EngineError {
  const reason = error.detail.reason ? ` (${error.detail.reason})` : '';
  return new EngineError('overloaded', `${where} is overloaded: HTTP ${error.status} after ${attempts} attempts${reason}; try again later, or narrow the query (time range, index pattern) to lighten its load`, error.status, error.detail);
}

function askedTooLong(error: EngineError, askedMs: number, policy: RetryPolicy, where: string): EngineError {
  return new EngineError(
    'overloaded',
    `${where} is overloaded: HTTP ${error.status}, and it asks to wait ${formatDelay(askedMs)} before trying again (more than the ${formatDelay(policy.maxRetryAfterMs)} this client waits); try again later`,
    error.status,
    error.detail
  );
}

/** The transport with reads retried on 429 and 503; everything else passes through unchanged. */
export function withRetries(transport: EngineTransport, overrides: Partial<RetryPolicy> = {}): EngineTransport {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  const where = transport.description;

  async function request<T>(req: EngineRequest): Promise<T> {
    const retryable = isRetryableRead(req);
    for (let retry = 0; ; retry++) {
      try {
        return await transport.request<T>(req);
      } catch (error) {
        // A 503 that names its cause (too many buckets) is no load to wait out: it is not retried.
        if (!retryable || !isEngineError(error) || error.status === undefined || !RETRIED_STATUSES.has(error.status) || error.kind === 'engine') {
          throw error;
        }
        if (retry >= policy.maxRetries) {
          throw overloaded(error, retry + 1, where);
        }
        const delay = delayBefore(error, retry, policy);
        if ('tooLongMs' in delay) {
          throw askedTooLong(error, delay.tooLongMs, policy, where);
        }
        await sleep(delay.ms, req.signal, where);
      }
    }
  }

  return { request, description: where };
}
