/**
 * Painless helpers shared by the request builders. Declarations only: a script puts them first,
 * before its statements, as painless requires.
 */

/**
 * The OpenTelemetry elasticsearch exporter's "ms.ns" text (`<epoch ms>.<ns remainder>`, the
 * remainder NOT zero-padded: `1796150000000.5000` is 5,000 ns past that millisecond) to epoch
 * milliseconds, the same reading as parseOtelMillisNanos in src/proto/time.ts. Parsing it as a
 * decimal would put that span 0.5 ms late.
 */
export const OTEL_TEXT_MILLIS = [
  'double otelTextMillis(String v) {',
  "  int dot = v.indexOf('.');",
  '  if (dot < 0) { return (double) Long.parseLong(v); }',
  '  return Long.parseLong(v.substring(0, dot)) + Long.parseLong(v.substring(dot + 1)) / 1000000.0;',
  '}',
].join('\n');
