import { EngineError, engineErrorFromResponse } from '../../../src/engine/errors';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, isRetryableRead, retryAfterMs, withRetries } from '../../../src/engine/retry';
import type { EngineRequest } from '../../../src/engine/transport';
import { scriptedTransport } from './scriptedTransport';

const SEARCH: EngineRequest = { method: 'POST', path: '/traces-*/_search?ignore_unavailable=true', body: {} };
const REJECTED = { error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' }, status: 429 };

/** Answers with the scripted failures in turn, then `{ ok: true }`; records each attempt. */
const scripted = (failures: EngineError[]) => scriptedTransport((_request, i) => failures[i] ?? { ok: true });

const busy = (status: number, retryAfter?: string) => engineErrorFromResponse(status, status === 429 ? REJECTED : '', 'http://es:9200', retryAfter);

describe('which requests are retried', () => {
  it('retries reads: GET, HEAD, and POST to search, count, field caps and mapping endpoints', () => {
    expect(isRetryableRead({ method: 'GET', path: '/' })).toBe(true);
    expect(isRetryableRead({ method: 'HEAD', path: '/traces' })).toBe(true);
    for (const endpoint of ['_search', '_msearch', '_count', '_field_caps']) {
      expect(isRetryableRead({ method: 'POST', path: `/traces-*/${endpoint}?x=1` })).toBe(true);
    }
    expect(isRetryableRead({ method: 'POST', path: '/_msearch' })).toBe(true);
  });

  it('never retries writes: bulk (documents without ids would be stored twice), index creation, deletion, refresh', () => {
    expect(isRetryableRead({ method: 'POST', path: '/_bulk', body: '' })).toBe(false);
    expect(isRetryableRead({ method: 'PUT', path: '/traces' })).toBe(false);
    expect(isRetryableRead({ method: 'DELETE', path: '/traces' })).toBe(false);
    expect(isRetryableRead({ method: 'POST', path: '/traces/_refresh' })).toBe(false);
    expect(isRetryableRead({ method: 'PUT', path: '/traces/_doc/_search' })).toBe(false);
  });
});

describe('retryAfterMs', () => {
  it('reads delta seconds and HTTP dates, a past date as no wait', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('Wed, 02 Dec 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 02 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs('-1', 0)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base up to the cap, keeping half of each step and drawing the other half at random', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 500, maxDelayMs: 5_000 };
    expect([0, 1, 2, 3, 4].map((retry) => backoffDelayMs(retry, { ...policy, random: () => 0 }))).toEqual([250, 500, 1000, 2000, 2500]);
    expect([0, 1, 2, 3, 4].map((retry) => backoffDelayMs(retry, { ...policy, random: () => 1 }))).toEqual([500, 1000, 2000, 4000, 5000]);
  });
});

describe('withRetries', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries a read answered 503 after the backoff, then returns the answer', async () => {
    const transport = scripted([busy(503), busy(503)]);
    const answer = withRetries(transport, { random: () => 0 }).request(SEARCH);
    await jest.advanceTimersByTimeAsync(249);
    expect(transport.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(500);
    await expect(answer).resolves.toEqual({ ok: true });
    expect(transport.requests).toHaveLength(3);
  });

  it('does not retry a 503 whose cause is too many buckets: no wait makes the same search smaller', async () => {
    const tooMany = engineErrorFromResponse(503, { error: { root_cause: [], type: 'search_phase_execution_exception', reason: '', caused_by: { type: 'too_many_buckets_exception', reason: 'Trying to create too many buckets.' } } }, 'http://es:9200');
    const transport = scripted([tooMany]);
    await expect(withRetries(transport, { random: () => 0 }).request(SEARCH)).rejects.toMatchObject({ kind: 'engine', status: 503 });
    expect(transport.requests).toHaveLength(1);
  });

  it('waits as long as Retry-After asks, in seconds or as a date', async () => {
    const now = Date.now();
    const transport = scripted([busy(429, '2'), busy(503, new Date(now + 4000).toUTCString())]);
    const answer = withRetries(transport, { now: () => now }).request(SEARCH);
    await jest.advanceTimersByTimeAsync(1999);
    expect(transport.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.requests).toHaveLength(2);
    // HTTP dates have whole seconds: the wait is up to 4 s.
    await jest.advanceTimersByTimeAsync(4000);
    await expect(answer).resolves.toEqual({ ok: true });
  });

  it('gives up after 3 retries with the engine\'s reason and the number of attempts', async () => {
    const transport = scripted([busy(429, '0'), busy(429, '0'), busy(429, '0'), busy(429, '0'), busy(429, '0')]);
    const answer = withRetries(transport).request(SEARCH);
    const settled = expect(answer).rejects.toMatchObject({
      kind: 'overloaded',
      status: 429,
      message: 'http://es:9200 is overloaded: HTTP 429 after 4 attempts (rejected execution of coordinating operation); try again later, or narrow the query (time range, index pattern) to lighten its load',
    });
    await jest.runAllTimersAsync();
    await settled;
    expect(transport.requests).toHaveLength(4);
  });

  it('fails at once when Retry-After asks for longer than the cap', async () => {
    const transport = scripted([busy(503, '120')]);
    await expect(withRetries(transport).request(SEARCH)).rejects.toMatchObject({
      kind: 'overloaded',
      message: 'http://es:9200 is overloaded: HTTP 503, and it asks to wait 120 s before trying again (more than the 30 s this client waits); try again later',
    });
    expect(transport.requests).toHaveLength(1);
  });

  it('sends a bulk write once, whatever the answer', async () => {
    const transport = scripted([busy(429)]);
    await expect(withRetries(transport).request({ method: 'POST', path: '/_bulk', body: '' })).rejects.toMatchObject({ kind: 'overloaded', message: 'http://es:9200 is overloaded (HTTP 429: rejected execution of coordinating operation): try again later' });
    expect(transport.requests).toHaveLength(1);
  });

  it('does not retry other failures', async () => {
    const transport = scripted([engineErrorFromResponse(500, { error: { type: 'x', reason: 'boom' } }, 'http://es:9200'), busy(502)]);
    await expect(withRetries(transport).request(SEARCH)).rejects.toMatchObject({ kind: 'engine' });
    expect(transport.requests).toHaveLength(1);
  });

  it('stops waiting and sends nothing more when the request is cancelled during the backoff', async () => {
    const transport = scripted([busy(503)]);
    const controller = new AbortController();
    const answer = withRetries(transport).request({ ...SEARCH, signal: controller.signal });
    const settled = expect(answer).rejects.toMatchObject({ kind: 'cancelled', message: 'the request to http://es:9200 was cancelled' });
    await jest.advanceTimersByTimeAsync(100);
    controller.abort();
    await settled;
    await jest.runAllTimersAsync();
    expect(transport.requests).toHaveLength(1);
  });
});
