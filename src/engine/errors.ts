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
  | 'bad_response';

export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  readonly status?: number;

  constructor(kind: EngineErrorKind, message: string, status?: number) {
    super(message);
    this.name = 'EngineError';
    this.kind = kind;
    this.status = status;
  }
}

export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}

/** The engine's own error body, e.g. `{"error":{"type":"index_not_found_exception","reason":"..."}}`. */
interface EngineErrorBody {
  error?: { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }>; index?: string } | string;
}

/** Turn an HTTP error answer from the engine into an EngineError that says what to do. */
export function engineErrorFromResponse(status: number, body: unknown, where: string): EngineError {
  const { type, reason } = describeBody(body);
  if (status === 401 || status === 403) {
    return new EngineError(
      'auth',
      `${where} refused the request (HTTP ${status}${reason ? `: ${reason}` : ''}): check the credentials (basic auth, API key) and the user's index privileges in the data source settings`,
      status
    );
  }
  if (type === 'index_not_found_exception') {
    return new EngineError('index_not_found', `${where}: ${reason ?? 'index not found'}: check the index pattern in the data source settings`, status);
  }
  if (status === 400) {
    return new EngineError('bad_request', `${where} rejected the request (${type ?? 'HTTP 400'}): ${reason ?? 'bad request'}`, status);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new EngineError('unreachable', `${where} is not available (HTTP ${status}${reason ? `: ${reason}` : ''}): check that the engine is running and healthy`, status);
  }
  return new EngineError('engine', `${where} answered HTTP ${status}${type ? ` ${type}` : ''}${reason ? `: ${reason}` : ''}`, status);
}

function describeBody(body: unknown): { type?: string; reason?: string } {
  if (typeof body === 'string') {
    return { reason: body.slice(0, 300) || undefined };
  }
  const error = (body as EngineErrorBody | undefined)?.error;
  if (typeof error === 'string') {
    return { reason: error };
  }
  if (error && typeof error === 'object') {
    const root = error.root_cause?.[0];
    const reason = error.reason ?? root?.reason;
    // "all shards failed" says nothing: the shards' own reason (root_cause) is what a user can act on.
    const cause = root?.reason && root.reason !== reason ? root.reason : undefined;
    const text = cause ? `${reason ?? 'failed'}: ${cause}` : reason;
    return { type: error.type ?? root?.type, reason: text && SCRIPTS_REFUSED.test(text) ? `${text}${SCRIPTS_ADVICE}` : text };
  }
  return {};
}

/** What engines say when they do not run the painless scripts a query sends. */
const SCRIPTS_REFUSED = /script_lang not supported \[painless\]|cannot execute \[inline\] scripts|cannot execute scripts using \[[a-z_]+\] context/;
const SCRIPTS_ADVICE =
  ' (this query computes a value no stored field holds, such as a span end, with a painless script: the cluster must run inline painless scripts, see its script.allowed_types and script.allowed_contexts settings)';
