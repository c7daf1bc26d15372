/**
 * Engine failures as values with a message a user can act on. Every transport turns what went
 * wrong (connection refused, HTTP status, engine error body, timeout) into one of these kinds.
 */
export type EngineErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'index_not_found'
  | 'bad_request'
  | 'engine'
  | 'bad_response'
  /** 429, or 503 to every retry of a read: the engine sheds load. */
  | 'overloaded'
  /** The caller gave up on the request (a query replaced or cancelled in Grafana): not a failure to show. */
  | 'cancelled'
  /** Settings that cannot work, found before any request: ambiguous credentials, a bad URL or timeout. */
  | 'config';

/** What a retry needs to know about a failed answer, beyond its status. */
export interface EngineErrorDetail {
  /** The engine's own reason, short, for messages that wrap this one. */
  reason?: string;
  /** The answer's Retry-After header, as sent (seconds or an HTTP date). */
  retryAfter?: string;
}

export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  readonly status?: number;
  readonly detail: EngineErrorDetail;

  constructor(kind: EngineErrorKind, message: string, status?: number, detail: EngineErrorDetail = {}) {
    super(message);
    this.name = 'EngineError';
    this.kind = kind;
    this.status = status;
    this.detail = detail;
  }
}

export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}

export function isCancelled(error: unknown): boolean {
  return error instanceof EngineError && error.kind === 'cancelled';
}

export function cancelledError(where: string): EngineError {
  return new EngineError('cancelled', `the request to ${where} was cancelled`);
}

/** `250 ms`, `60 s`: timeouts in messages, readable whether set in milliseconds or seconds. */
export function formatDelay(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** The engine's own error body, e.g. `{"error":{"type":"index_not_found_exception","reason":"..."}}`. */
interface ErrorCause {
  type?: string;
  reason?: string;
  caused_by?: ErrorCause;
}

interface EngineErrorBody {
  error?: (ErrorCause & { root_cause?: Array<{ type?: string; reason?: string }>; index?: string }) | string;
}

/**
 * A search over more buckets than the cluster's `search.max_buckets`: the engine answers 503 (with
 * an empty reason and the limit in `caused_by`), but no retry or wait can help.
 */
const TOO_MANY_BUCKETS = 'too_many_buckets_exception';

/** Turn an HTTP error answer from the engine into an EngineError that says what to do. */
export function engineErrorFromResponse(status: number, body: unknown, where: string, retryAfter?: string): EngineError {
  if (typeof body === 'string' && looksLikeHtml(body)) {
    return htmlPageError(status, body, where, retryAfter);
  }
  const { type, reason, cause } = describeBody(body);
  const detail = { reason, retryAfter };
  if (cause === TOO_MANY_BUCKETS) {
    return new EngineError('engine', `${where} refused to build that many buckets (HTTP ${status}: ${reason}): narrow the query (time range, filters, limit), or raise the cluster's search.max_buckets`, status, detail);
  }
  if (status === 401 || status === 403) {
    return new EngineError(
      'auth',
      `${where} refused the request (HTTP ${status}${reason ? `: ${reason}` : ''}): check the credentials (basic auth or API key in the data source settings; ESTRACES_USERNAME/ESTRACES_PASSWORD or ESTRACES_API_KEY on the command line) and the user's index privileges`,
      status,
      detail
    );
  }
  if (type === 'index_not_found_exception') {
    return new EngineError('index_not_found', `${where}: ${reason ?? 'index not found'}: check the index pattern (in the data source settings, or --index on the command line)`, status, detail);
  }
  if (status === 400) {
    return new EngineError('bad_request', `${where} rejected the request (${type ?? 'HTTP 400'}): ${reason ?? 'bad request'}`, status, detail);
  }
  if (status === 429) {
    return new EngineError('overloaded', `${where} is overloaded (HTTP 429${reason ? `: ${reason}` : ''}): try again later`, status, detail);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new EngineError('unreachable', `${where} is not available (HTTP ${status}${reason ? `: ${reason}` : ''}): check that the engine is running and healthy`, status, detail);
  }
  return new EngineError('engine', `${where} answered HTTP ${status}${type ? ` ${type}` : ''}${reason ? `: ${reason}` : ''}`, status, detail);
}

/**
 * A 2xx body that is not JSON. An HTML page, a cut-off JSON text and anything else each get their
 * own message; the body itself is never dumped.
 */
export function nonJsonBodyError(where: string, method: string, path: string, text: string): EngineError {
  if (looksLikeHtml(text)) {
    const title = htmlTitle(text);
    return new EngineError('bad_response', `${where} answered ${method} ${pathOnly(path)} with an HTML page${title ? ` ("${title}")` : ''}, not JSON: this URL does not look like Elasticsearch or OpenSearch; check the URL`);
  }
  if (/^\s*[[{]/.test(text)) {
    return new EngineError(
      'bad_response',
      `${where} answered ${method} ${pathOnly(path)} with JSON cut off after ${text.length} characters: the connection was interrupted, or something between here and the engine limits the answer size; try again`
    );
  }
  return new EngineError('bad_response', `${where} answered ${method} ${pathOnly(path)} with a body that is not JSON: is this URL an Elasticsearch or OpenSearch endpoint?`);
}

/** A JSON answer without what every engine answer of that request has. */
export function notAnEngineError(where: string, method: string, path: string, missing: string): EngineError {
  return new EngineError('bad_response', `${where} does not look like Elasticsearch or OpenSearch: its answer to ${method} ${pathOnly(path)} has no ${missing}; check the URL`);
}

function pathOnly(path: string): string {
  return path.split('?')[0];
}

function looksLikeHtml(text: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body|<title|<h1|<center)/i.test(text);
}

/** The page's own name (`502 Bad Gateway`), from its title or first heading. */
function htmlTitle(html: string): string | undefined {
  const match = /<title[^>]*>([^<]*)<\/title>/i.exec(html) ?? /<h1[^>]*>([^<]*)<\/h1>/i.exec(html);
  const title = match?.[1].replace(/\s+/g, ' ').trim();
  return title ? title.slice(0, 100) : undefined;
}

/**
 * HTML instead of the engine's JSON: a proxy or gateway in front of the engine answered (nginx's
 * 502 page), or the URL is a web site. Named by the page's title, never dumped.
 */
function htmlPageError(status: number, html: string, where: string, retryAfter?: string): EngineError {
  const title = htmlTitle(html);
  const page = `an HTML page${title ? ` ("${title}")` : ''}`;
  const detail = { reason: title, retryAfter };
  if (status === 502 || status === 503 || status === 504) {
    return new EngineError('unreachable', `${where} is not available (HTTP ${status}, ${page} from a proxy in front of the engine): check that the engine behind it is running and healthy`, status, detail);
  }
  if (status === 429) {
    return new EngineError('overloaded', `${where} is overloaded (HTTP 429, ${page}): try again later`, status, detail);
  }
  if (status === 401 || status === 403) {
    return new EngineError('auth', `${where} refused the request (HTTP ${status}, ${page}): check the credentials and any proxy in front of the engine`, status, detail);
  }
  return new EngineError('bad_response', `${where} answered HTTP ${status} with ${page}, not the engine's JSON: this URL does not look like Elasticsearch or OpenSearch; check the URL`, status, detail);
}

function describeBody(body: unknown): { type?: string; reason?: string; cause?: string } {
  if (typeof body === 'string') {
    return { reason: body.slice(0, 300) || undefined };
  }
  const error = (body as EngineErrorBody | undefined)?.error;
  if (typeof error === 'string') {
    return { reason: error };
  }
  if (error && typeof error === 'object') {
    const root = error.root_cause?.[0];
    // The innermost cause: a search phase failing with an empty reason keeps what went wrong there.
    let inner: ErrorCause | undefined = error.caused_by;
    while (inner?.caused_by) {
      inner = inner.caused_by;
    }
    const reason = error.reason || root?.reason || inner?.reason || undefined;
    // "all shards failed" says nothing: the shards' own reason (root_cause) is what a user can act on.
    const cause = root?.reason && root.reason !== reason ? root.reason : undefined;
    const text = cause ? `${reason ?? 'failed'}: ${cause}` : reason;
    return { type: error.type ?? root?.type, reason: text && SCRIPTS_REFUSED.test(text) ? `${text}${SCRIPTS_ADVICE}` : text, cause: inner?.type ?? root?.type };
  }
  return {};
}

/** What engines say when they do not run the painless scripts a query sends. */
const SCRIPTS_REFUSED = /script_lang not supported \[painless\]|cannot execute \[inline\] scripts|cannot execute scripts using \[[a-z_]+\] context/;
const SCRIPTS_ADVICE =
  ' (this query computes a value no stored field holds, such as a span end, with a painless script: the cluster must run inline painless scripts, see its script.allowed_types and script.allowed_contexts settings)';
