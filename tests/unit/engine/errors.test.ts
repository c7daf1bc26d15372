import { encodeIndices, incompleteAnswerWarnings, totalHits } from '../../../src/engine/client';
import { engineErrorFromResponse } from '../../../src/engine/errors';

describe('engineErrorFromResponse', () => {
  it('turns a missing index into an index_not_found error that says what to check', () => {
    const error = engineErrorFromResponse(404, { error: { type: 'index_not_found_exception', reason: 'no such index [spans]' } }, 'http://es:9200');
    expect(error.kind).toBe('index_not_found');
    expect(error.message).toBe('http://es:9200: no such index [spans]: check the index pattern in the data source settings');
  });

  it('names refused credentials as an auth problem', () => {
    const error = engineErrorFromResponse(401, { error: { type: 'security_exception', reason: 'missing authentication credentials' } }, 'http://es:9200');
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/^http:\/\/es:9200 refused the request \(HTTP 401: missing authentication credentials\): check the credentials/);
  });

  it('reports a rejected query with the engine reason from root_cause', () => {
    const error = engineErrorFromResponse(400, { error: { root_cause: [{ type: 'parsing_exception', reason: 'unknown query [foo]' }] } }, 'http://es:9200');
    expect(error).toMatchObject({ kind: 'bad_request', message: 'http://es:9200 rejected the request (parsing_exception): unknown query [foo]' });
  });

  it('names the shards\' own reason when every shard failed, not only "all shards failed"', () => {
    const body = { error: { root_cause: [{ type: 'illegal_argument_exception', reason: 'Failed to parse date field [not-a-time]' }], type: 'search_phase_execution_exception', reason: 'all shards failed' } };
    expect(engineErrorFromResponse(400, body, 'http://es:9200').message).toBe(
      'http://es:9200 rejected the request (search_phase_execution_exception): all shards failed: Failed to parse date field [not-a-time]'
    );
  });

  it('says what to change when the engine runs no painless scripts (Elasticsearch 8 without lang-painless answered this)', () => {
    const body = {
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason: 'script_lang not supported [painless]' }],
        type: 'search_phase_execution_exception',
        reason: 'all shards failed',
        failed_shards: [{ shard: 0, index: 'traces', reason: { type: 'illegal_argument_exception', reason: 'script_lang not supported [painless]' } }],
      },
      status: 400,
    };
    const error = engineErrorFromResponse(400, body, 'http://es:9200');
    expect(error.kind).toBe('bad_request');
    expect(error.message).toBe(
      'http://es:9200 rejected the request (search_phase_execution_exception): all shards failed: script_lang not supported [painless] (this query computes a value no stored field holds, such as a span end, with a painless script: the cluster must run inline painless scripts, see its script.allowed_types and script.allowed_contexts settings)'
    );
  });

  it('treats a gateway error from a proxy as the engine being unavailable', () => {
    expect(engineErrorFromResponse(502, 'Bad Gateway', 'the engine').kind).toBe('unreachable');
  });
});

describe('incompleteAnswerWarnings', () => {
  it('warns about failed shards with their reasons, and about timeouts', () => {
    const warnings = incompleteAnswerWarnings({
      timed_out: true,
      _shards: { total: 5, successful: 3, failed: 2, failures: [{ index: 'traces-1', reason: { type: 'x', reason: 'too many clauses' } }, { index: 'traces-2', reason: { type: 'circuit_breaking_exception' } }] },
    });
    expect(warnings).toEqual([
      '2 of 5 shards failed, so results may be incomplete (traces-1: too many clauses; traces-2: circuit_breaking_exception)',
      'the engine timed out part of the search, so results may be incomplete',
    ]);
  });

  it('is silent for a complete answer', () => {
    expect(incompleteAnswerWarnings({ _shards: { total: 1, successful: 1, failed: 0 } })).toEqual([]);
  });
});

describe('request helpers', () => {
  it('encodes each index of a list but keeps commas and wildcards', () => {
    expect(encodeIndices('traces-*, logs #1')).toBe('traces-*,logs%20%231');
  });

  it('reads total hits from old and new response formats', () => {
    expect(totalHits({ hits: { total: 7 } })).toBe(7);
    expect(totalHits({ hits: { total: { value: 9, relation: 'eq' } } })).toBe(9);
  });
});
