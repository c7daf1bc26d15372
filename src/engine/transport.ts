/**
 * What the core needs from an engine, at the HTTP level. Two implementations: Grafana's data source
 * proxy in the browser, fetch in Node. Both throw EngineError and nothing else.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

export interface EngineRequest {
  method: HttpMethod;
  /** Path and query string below the engine URL, starting with '/'. */
  path: string;
  /** A JSON value, or a string sent as is (newline-delimited JSON for _bulk and _msearch). */
  body?: unknown;
  /** Content type for string bodies; JSON otherwise. */
  contentType?: 'application/json' | 'application/x-ndjson';
  /** Aborting it cancels the request, which then rejects with EngineError kind 'cancelled'. */
  signal?: AbortSignal;
}

export interface EngineTransport {
  /** Resolves with the parsed JSON body of a 2xx answer; throws EngineError otherwise. */
  request<T>(request: EngineRequest): Promise<T>;
  /** How to name the engine in messages, e.g. `http://127.0.0.1:9201`. */
  readonly description: string;
}
