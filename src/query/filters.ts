/**
 * What users type into a trace search, parsed into values or into messages that name the problem:
 * durations as Jaeger writes them (`1.2s`, `100ms`, `500us`) and attribute filters in logfmt
 * (`http.response.status_code=500 app.user.vip=true name="a b"`).
 */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** A duration in nanoseconds from `1.2s`, `100ms`, `500us`, `250ns`, `2m`, `1h`. */
export function parseDuration(text: string, what = 'duration'): bigint {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)\s*$/.exec(text);
  if (!match) {
    throw new FilterError(`${what} '${text}' is not a duration: write a number and a unit, e.g. 1.2s, 100ms, 500us (units ns, us, ms, s, m, h)`);
  }
  const [whole, fraction = ''] = match[1].split('.');
  const unit = BigInt(UNIT_NS[match[2]]);
  // Exact: the fraction is applied as an integer ratio, never as a float.
  const scale = BigInt(10) ** BigInt(fraction.length);
  const ns = (BigInt(whole) * scale + BigInt(fraction || '0')) * unit / scale;
  if (ns > MAX_DURATION_NS) {
    throw new FilterError(`${what} '${text}' is longer than any span can last: OpenTelemetry counts nanoseconds in 64 bits, at most about 106,751 days (2562047h)`);
  }
  return ns;
}

/** The longest duration a span can have: 2^63 - 1 nanoseconds, as OTLP and the engines' longs hold it. */
const MAX_DURATION_NS = BigInt('9223372036854775807');

const SHIFT_UNIT_NS: Record<string, bigint> = { ms: BigInt(1_000_000), s: BigInt(1_000_000_000), m: BigInt(60_000_000_000), h: BigInt(3_600_000_000_000), d: BigInt(86_400_000_000_000) };

/** A Grafana time shift (`-2s`, `5m`, `+1h`, `500ms`) in signed nanoseconds; empty is no shift. */
export function parseTimeShift(text: string | undefined, what = 'time shift'): bigint {
  if (text === undefined || text.trim() === '') {
    return BigInt(0);
  }
  const match = /^\s*([+-]?)(\d+)(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) {
    throw new FilterError(`${what} '${text}' is not a time shift: write a signed number and a unit, e.g. -2s, 5m, 1h (units ms, s, m, h, d)`);
  }
  const ns = BigInt(match[2]) * SHIFT_UNIT_NS[match[3]];
  return match[1] === '-' ? -ns : ns;
}

export interface AttributeFilter {
  key: string;
  /** The value as typed; `quoted` values are always compared as strings. */
  value: string;
  quoted: boolean;
}

/** `key=value`, the value quoted (with `"` and `\` escaped) when logfmt needs it. */
export function logfmtPair(key: string, value: string): string {
  if (value === '' || /[\s"\\]/.test(value)) {
    return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return `${key}=${value}`;
}

/**
 * logfmt pairs: `key=value`, `key="quoted value with \" and \\"`. Keys are non-empty and contain no
 * spaces, '=' or quotes. Everything is taken literally: nothing here is query syntax.
 */
export function parseLogfmt(text: string): AttributeFilter[] {
  const filters: AttributeFilter[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new FilterError(`attribute filter '${text}' cannot be read at position ${i + 1}: ${why}. Write key=value pairs separated by spaces; quote values with spaces: name="a b"`);
  };
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') {
      i++;
    }
    if (i >= text.length) {
      break;
    }
    const keyStart = i;
    while (i < text.length && !'= \t"'.includes(text[i])) {
      i++;
    }
    const key = text.slice(keyStart, i);
    if (key === '') {
      fail('a key is missing');
    }
    if (text[i] !== '=') {
      fail(`'${key}' has no '=value'`);
    }
    i++;
    if (text[i] === '"') {
      i++;
      let value = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          i++;
        }
        value += text[i++];
      }
      if (text[i] !== '"') {
        fail(`the quoted value of '${key}' is not closed`);
      }
      i++;
      filters.push({ key, value, quoted: true });
    } else {
      const valueStart = i;
      while (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
        i++;
      }
      filters.push({ key, value: text.slice(valueStart, i), quoted: false });
    }
  }
  return filters;
}
