/** Trace and span identifiers: lowercase hex, compared case-insensitively (storage-schemas.md §8.3). */

export type IdCheck = { ok: true; id: string } | { ok: false; message: string };

const HEX = /^[0-9a-f]+$/;
const ALL_ZERO = /^0+$/;

/**
 * A trace id typed by a user: 1 to 32 hex digits (64-bit ids and ids stored without leading zeros
 * exist), case and surrounding whitespace ignored. Returns the lowercase id or a message that says
 * what is wrong with it.
 */
export function validateTraceId(raw: string): IdCheck {
  const id = raw.trim().toLowerCase();
  if (id === '') {
    return { ok: false, message: 'Enter a trace id: 16 or 32 hexadecimal digits.' };
  }
  if (!HEX.test(id)) {
    return { ok: false, message: `'${truncate(raw.trim())}' is not a trace id: use hexadecimal digits 0-9 and a-f only.` };
  }
  if (id.length > 32) {
    return { ok: false, message: `'${truncate(raw.trim())}' is not a trace id: it has ${id.length} hex digits, at most 32 are allowed.` };
  }
  if (ALL_ZERO.test(id)) {
    return { ok: false, message: 'The all-zero trace id is invalid in OpenTelemetry and never stored.' };
  }
  return { ok: true, id };
}

/**
 * The stored forms a trace id may have: as given, left-padded to 32 digits, and (for 128-bit ids
 * whose upper half is zero) the 64-bit low half.
 */
export function traceIdSearchForms(id: string): string[] {
  const forms = new Set<string>([id]);
  if (id.length < 32) {
    forms.add(id.padStart(32, '0'));
  }
  if (id.length <= 16) {
    forms.add(id.padStart(16, '0'));
  }
  if (id.length === 32 && id.startsWith('0000000000000000')) {
    forms.add(id.slice(16));
  }
  return [...forms];
}

/** Span ids are 8 bytes, trace ids 16: a longer stored id is not one, whatever its digits. */
const SPAN_ID_DIGITS = 16;
const TRACE_ID_DIGITS = 32;

/** Lowercase hex of at most `maxDigits` digits, or undefined for empty/all-zero/non-hex/too long. */
function normaliseHexId(value: unknown, maxDigits: number): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const id = value.trim().toLowerCase();
  return id === '' || id.length > maxDigits || ALL_ZERO.test(id) || !HEX.test(id) ? undefined : id;
}

/** A stored span id as the logical model wants it: lowercase hex, or undefined for empty/all-zero/non-hex/over 16 digits. */
export function normaliseSpanId(value: unknown): string | undefined {
  return normaliseHexId(value, SPAN_ID_DIGITS);
}

/** Whether a stored id field says "none": missing, null, blank, or all zeros (OpenTelemetry's invalid id). */
function isAbsentId(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && (value.trim() === '' || ALL_ZERO.test(value.trim())));
}

/**
 * A stored parent span id. Roots store none (missing, "", all zeros); anything else that is not a
 * span id still shows the span as a root, but with a warning, so a damaged document is never
 * silently read as a root.
 */
export function readParentSpanId(value: unknown, warnings: string[]): string | undefined {
  const id = normaliseSpanId(value);
  if (id === undefined && !isAbsentId(value)) {
    warnings.push(`the stored parent span id ${truncate(JSON.stringify(value) ?? String(value))} is not a span id (up to 16 hex digits); shown as a root`);
  }
  return id;
}

/**
 * The display id of the second half of a shared span (Zipkin's Brave-style server half, stored
 * under its client's id): the stored id with this suffix, unique in the trace.
 */
export const SHARED_SPAN_SUFFIX = '-server';

/** The id a span is stored under: a shared span's second half loses its display suffix. */
export function storedSpanId<T extends string | undefined>(id: T): T {
  return (id?.endsWith(SHARED_SPAN_SUFFIX) ? id.slice(0, -SHARED_SPAN_SUFFIX.length) : id) as T;
}

/** Trace ids in the frame are 32 digits; 64-bit ids are left-padded as Grafana's Jaeger source does. */
export function normaliseTraceId(value: unknown): string | undefined {
  const id = normaliseHexId(value, TRACE_ID_DIGITS);
  return id === undefined ? undefined : id.length < 32 && id.length > 16 ? id.padStart(32, '0') : id;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
