import { EngineClient, encodeIndices, incompleteAnswerWarnings, totalHits } from '../../../src/engine/client';
import { engineErrorFromResponse, nonJsonBodyError } from '../../../src/engine/errors';
import { scriptedTransport } from './scriptedTransport';

describe('engineErrorFromResponse', () => {
  it('turns a missing index into an index_not_found error that says what to check', () => {
    const error = engineErrorFromResponse(404, { error: { type: 'index_not_found_exception', reason: 'no such index [spans]' } }, 'http://es:9200');
    expect(error.kind).toBe('index_not_found');
    expect(error.message).toBe('http://es:9200: no such index [spans]: check the index pattern (in the data source settings, or --index on the command line)');
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

  it('names a search over more buckets than search.max_buckets by its cause, which the engine gives only in caused_by (OpenSearch 2.19.1 answered this)', () => {
    const body = {
      error: {
        root_cause: [],
        type: 'search_phase_execution_exception',
        reason: '',
        phase: 'fetch',
        grouped: true,
        failed_shards: [],
        caused_by: { type: 'too_many_buckets_exception', reason: 'Trying to create too many buckets. Must be less than or equal to: [65535] but was [65536]. This limit can be set by changing the [search.max_buckets] cluster level setting.', max_buckets: 65535 },
      },
      status: 503,
    };
    const error = engineErrorFromResponse(503, body, 'http://es:9200');
    expect(error.kind).toBe('engine');
    expect(error.message).toBe(
      "http://es:9200 refused to build that many buckets (HTTP 503: Trying to create too many buckets. Must be less than or equal to: [65535] but was [65536]. This limit can be set by changing the [search.max_buckets] cluster level setting.): narrow the query (time range, filters, limit), or raise the cluster's search.max_buckets"
    );
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

  it("names a proxy's HTML error page by its title instead of dumping the page", () => {
    const page = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
    expect(engineErrorFromResponse(502, page, 'http://es:9200')).toMatchObject({
      kind: 'unreachable',
      message: 'http://es:9200 is not available (HTTP 502, an HTML page ("502 Bad Gateway") from a proxy in front of the engine): check that the engine behind it is running and healthy',
    });
  });

  it('says a URL answering 404 with an HTML page does not look like an engine', () => {
    expect(engineErrorFromResponse(404, '<!DOCTYPE html>\n<html><body><h1>Not Found</h1><p>The requested URL was not found.</p></body></html>', 'http://web:80')).toMatchObject({
      kind: 'bad_response',
      message: 'http://web:80 answered HTTP 404 with an HTML page ("Not Found"), not the engine\'s JSON: this URL does not look like Elasticsearch or OpenSearch; check the URL',
    });
  });

  it('calls a 429 overload, keeping the reason and Retry-After for a retry', () => {
    const error = engineErrorFromResponse(429, { error: { type: 'es_rejected_execution_exception', reason: 'queue full' }, status: 429 }, 'http://es:9200', '2');
    expect(error).toMatchObject({ kind: 'overloaded', status: 429, message: 'http://es:9200 is overloaded (HTTP 429: queue full): try again later', detail: { reason: 'queue full', retryAfter: '2' } });
  });
});

describe('nonJsonBodyError', () => {
  it('tells an HTML page, cut-off JSON and other text apart, and shows none of them', () => {
    expect(nonJsonBodyError('http://es:9200', 'GET', '/x/_mapping?a=b', '<html><head><title>Login</title></head></html>').message).toBe(
      'http://es:9200 answered GET /x/_mapping with an HTML page ("Login"), not JSON: this URL does not look like Elasticsearch or OpenSearch; check the URL'
    );
    expect(nonJsonBodyError('http://es:9200', 'POST', '/x/_search', '{"took":1,"hits"').message).toBe(
      'http://es:9200 answered POST /x/_search with JSON cut off after 16 characters: the connection was interrupted, or something between here and the engine limits the answer size; try again'
    );
    expect(nonJsonBodyError('http://es:9200', 'GET', '/', 'OK').message).toBe('http://es:9200 answered GET / with a body that is not JSON: is this URL an Elasticsearch or OpenSearch endpoint?');
  });
});

/** Answers every request with `answer`, recording it. */
const answering = (answer: unknown) => scriptedTransport(() => answer);

describe('EngineClient', () => {
  it('says JSON that is not a search or mapping answer does not look like an engine', async () => {
    const client = new EngineClient(answering({ hello: 'world' }));
    await expect(client.search('traces', {})).rejects.toMatchObject({
      kind: 'bad_response',
      message: "http://es:9200 does not look like Elasticsearch or OpenSearch: its answer to POST /traces/_search has no 'took', '_shards' or 'hits'; check the URL",
    });
    await expect(client.mapping('traces*')).rejects.toMatchObject({
      kind: 'bad_response',
      message: "http://es:9200 does not look like Elasticsearch or OpenSearch: its answer to GET /traces*/_mapping has no 'mappings' for each index; check the URL",
    });
  });

  it('accepts an empty mapping answer (a pattern matching nothing) and an index without mappings', async () => {
    await expect(new EngineClient(answering({})).mapping('none*')).resolves.toEqual({});
    await expect(new EngineClient(answering({ spans: { mappings: {} } })).mapping('spans')).resolves.toEqual({ spans: { mappings: {} } });
  });

  it('passes its signal with every request, and once aborted sends none', async () => {
    const transport = answering({ took: 1, hits: { hits: [] } });
    const controller = new AbortController();
    const client = new EngineClient(transport).withSignal(controller.signal);
    await client.search('traces', {});
    expect(transport.requests[0].signal).toBe(controller.signal);
    controller.abort();
    await expect(client.search('traces', {})).rejects.toMatchObject({ kind: 'cancelled', message: 'the request to http://es:9200 was cancelled' });
    await expect(client.info()).rejects.toMatchObject({ kind: 'cancelled' });
    expect(transport.requests).toHaveLength(1);
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
