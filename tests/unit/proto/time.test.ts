import { formatIsoNanos, formatOtelMillisNanos, nanosToMillis, parseIsoNanos, parseNanos, parseOtelMillisNanos } from '../../../src/proto/time';
import { parseTimeExpression } from '../../../src/query/timeExpression';

describe('otel "ms.ns" timestamps', () => {
  it('reads the remainder as nanoseconds, not as a decimal fraction', () => {
    expect(parseOtelMillisNanos('1715678467123.456789')).toBe(BigInt('1715678467123456789'));
    expect(parseOtelMillisNanos('1715678467123.5000')).toBe(BigInt('1715678467123005000'));
    expect(parseOtelMillisNanos('1715678467123')).toBe(BigInt('1715678467123000000'));
  });

  it('writes what it reads, for every remainder', () => {
    for (const ns of ['1715678467123456789', '1715678467123005000', '1715678467123000001', '1715678467123000000']) {
      expect(parseOtelMillisNanos(formatOtelMillisNanos(BigInt(ns)))).toBe(BigInt(ns));
    }
    expect(formatOtelMillisNanos(BigInt('1715678467123005000'))).toBe('1715678467123.5000');
  });

  it('refuses garbage', () => {
    expect(parseOtelMillisNanos('yesterday')).toBeUndefined();
    expect(parseOtelMillisNanos('1715678467123.1234567')).toBeUndefined();
  });
});

describe('ISO 8601 with nanoseconds', () => {
  it('keeps all nine fractional digits', () => {
    expect(parseIsoNanos('2024-05-14T09:21:07.123456789Z')).toBe(BigInt('1715678467123456789'));
    expect(formatIsoNanos(BigInt('1715678467123456789'))).toBe('2024-05-14T09:21:07.123456789Z');
    expect(parseIsoNanos('2024-05-14T11:21:07.5+02:00')).toBe(BigInt('1715678467500000000'));
  });
});

describe('OTLP nanosecond fields', () => {
  it('accepts decimal strings, safe integers and {low, high} long bits', () => {
    expect(parseNanos('1715678467123456789')).toBe(BigInt('1715678467123456789'));
    expect(parseNanos(1000)).toBe(BigInt(1000));
    expect(parseNanos({ low: 1, high: 1 })).toBe(BigInt(4294967297));
    expect(parseNanos('12.5')).toBeUndefined();
  });
});

describe('nanosToMillis', () => {
  it('keeps the integer milliseconds exact and the remainder as a fraction', () => {
    expect(nanosToMillis(BigInt('42500000'))).toBe(42.5);
    expect(nanosToMillis(BigInt('1715678467123000000'))).toBe(1715678467123);
  });
});

describe('parseTimeExpression', () => {
  const now = Date.UTC(2024, 4, 14, 12, 0, 0);
  it('understands now-1h, epoch milliseconds and ISO 8601', () => {
    expect(parseTimeExpression('now-1h', now)).toBe(BigInt(now - 3_600_000) * BigInt(1_000_000));
    expect(parseTimeExpression('now', now)).toBe(BigInt(now) * BigInt(1_000_000));
    expect(parseTimeExpression('1715678467123', now)).toBe(BigInt('1715678467123000000'));
    expect(parseTimeExpression('2024-05-14T09:21:07Z', now)).toBe(BigInt('1715678467000000000'));
  });

  it('counts now-1M and now-1y by the calendar, as Grafana does', () => {
    expect(parseTimeExpression('now-1M', now)).toBe(BigInt(Date.UTC(2024, 3, 14, 12, 0, 0)) * BigInt(1_000_000));
    expect(parseTimeExpression('now-1y', now)).toBe(BigInt(Date.UTC(2023, 4, 14, 12, 0, 0)) * BigInt(1_000_000));
    expect(parseTimeExpression('now+2y', now)).toBe(BigInt(Date.UTC(2026, 4, 14, 12, 0, 0)) * BigInt(1_000_000));
  });

  it('says what it accepts when given something else', () => {
    expect(() => parseTimeExpression('last tuesday')).toThrow("'last tuesday' is not a time: use ISO 8601");
  });
});
