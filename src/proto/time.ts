/**
 * Exact time conversions. Epoch nanoseconds (~1.7e18) exceed 2^53, so they live in BigInt and only
 * become a float at the very end, as milliseconds for Grafana's frames.
 */

export const NS_PER_MS = BigInt(1_000_000);
const NS_PER_US = BigInt(1_000);

/**
 * The OpenTelemetry elasticsearch exporter's `otel`-mode timestamp: `"<epoch ms>.<ns remainder>"`
 * where the remainder is NOT zero-padded (5000 ns is ".5000"), so it is not a decimal fraction.
 */
export function parseOtelMillisNanos(value: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!match) {
    return undefined;
  }
  return BigInt(match[1]) * NS_PER_MS + BigInt(match[2] ?? '0');
}

export function formatOtelMillisNanos(ns: bigint): string {
  const ms = ns / NS_PER_MS;
  const rest = ns % NS_PER_MS;
  return rest === BigInt(0) ? `${ms}` : `${ms}.${rest}`;
}

/**
 * RFC 3339 with up to nine fractional digits, exactly, e.g. `2024-05-14T09:21:07.123456789Z`.
 * Unix time only: nothing before 1970 (OTLP's times are unsigned; Go's zero time, year 1, means unset).
 */
export function parseIsoNanos(value: string): bigint | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/.exec(value.trim());
  if (!match) {
    return undefined;
  }
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds) || seconds < 0) {
    return undefined;
  }
  const fraction = BigInt((match[2] ?? '').padEnd(9, '0'));
  return BigInt(seconds) * NS_PER_MS + fraction;
}

export function formatIsoNanos(ns: bigint): string {
  const ms = Number(ns / NS_PER_MS);
  const iso = new Date(ms).toISOString(); // 2024-05-14T09:21:07.123Z
  const fraction = (ns % BigInt(1_000_000_000)).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** A nanosecond count from an OTLP/JSON field: decimal string, safe integer, or {low, high} longs. */
export function parseNanos(value: unknown): bigint | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) {
    return BigInt(value);
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  if (typeof value === 'bigint') {
    return value;
  }
  if (isLongBits(value)) {
    return (BigInt(value.high >>> 0) << BigInt(32)) + BigInt(value.low >>> 0);
  }
  return undefined;
}

function isLongBits(value: unknown): value is { low: number; high: number } {
  return typeof value === 'object' && value !== null && typeof (value as { low?: unknown }).low === 'number' && typeof (value as { high?: unknown }).high === 'number';
}

export const microsToNanos = (us: bigint): bigint => us * NS_PER_US;
export const millisToNanos = (ms: bigint): bigint => ms * NS_PER_MS;

/** Nanoseconds to float milliseconds, splitting first so the integer part stays exact. */
export function nanosToMillis(ns: bigint): number {
  return Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
}

/** Float milliseconds (as users and Grafana give times) to exact nanoseconds. */
export function millisToNanosFloat(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}
