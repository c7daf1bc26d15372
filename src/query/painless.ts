/**
 * Painless helpers shared by the request builders. Declarations only: a script puts them first,
 * before its statements, as painless requires.
 */

/**
 * The OpenTelemetry elasticsearch exporter's "ms.ns" text (`<epoch ms>.<ns remainder>`, the
 * remainder NOT zero-padded: `1796150000000.5000` is 5,000 ns past that millisecond) to epoch
 * milliseconds, the same reading as parseOtelMillisNanos in src/proto/time.ts. Parsing it as a
 * decimal would put that span 0.5 ms late. Anything else (empty, `not-a-time`, a sign, more digits
 * than a long holds) is NaN, which the callers treat as "no value": one dirty document must not
 * fail the shard, and with it every search of the index.
 */
export const OTEL_TEXT_MILLIS = [
  'boolean otelDigits(String v) {',
  '  if (v.length() == 0 || v.length() > 18) { return false; }',
  '  for (int i = 0; i < v.length(); i++) { char c = v.charAt(i); if (c < 48 || c > 57) { return false; } }',
  '  return true;',
  '}',
  'double otelTextMillis(String v) {',
  "  int dot = v.indexOf('.');",
  '  String whole = dot < 0 ? v : v.substring(0, dot);',
  '  String part = dot < 0 ? null : v.substring(dot + 1);',
  '  if (!otelDigits(whole) || (part != null && !otelDigits(part))) { return Double.NaN; }',
  '  return Long.parseLong(whole) + (part == null ? 0 : Long.parseLong(part) / 1000000.0);',
  '}',
].join('\n');
