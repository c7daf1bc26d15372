/**
 * Times as users type them: ISO 8601 (with up to nanosecond fractions), epoch milliseconds, or
 * Grafana-style relative expressions (`now`, `now-1h`, `now-15m`, `now-7d`, and the calendar's
 * `now-1M` and `now-1y`).
 */
import { millisToNanos, parseIsoNanos } from '../proto/time';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseTimeExpression(text: string, nowMs: number = Date.now()): bigint {
  const value = text.trim();
  const relative = /^now(?:([+-])(\d+)(ms|s|m|h|d|w|M|y))?$/.exec(value);
  if (relative) {
    const sign = relative[1] === '-' ? -1 : 1;
    const count = Number(relative[2] ?? 0);
    if (relative[3] === 'M' || relative[3] === 'y') {
      // Months and years as the calendar (and Grafana) counts them, in UTC.
      const date = new Date(nowMs);
      date.setUTCMonth(date.getUTCMonth() + sign * count * (relative[3] === 'y' ? 12 : 1));
      return millisToNanos(BigInt(date.getTime()));
    }
    const offset = relative[1] ? count * UNIT_MS[relative[3]] * sign : 0;
    return millisToNanos(BigInt(nowMs + offset));
  }
  if (/^\d{1,16}$/.test(value)) {
    return millisToNanos(BigInt(value));
  }
  const iso = parseIsoNanos(value) ?? parseIsoNanos(`${value}Z`);
  if (iso !== undefined) {
    return iso;
  }
  const date = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date)) {
    return millisToNanos(BigInt(date));
  }
  throw new Error(`'${text}' is not a time: use ISO 8601 (2024-05-14T09:21:07Z), epoch milliseconds, or now-1h style (units ms, s, m, h, d, w, M, y)`);
}
