import { normaliseSpanId, traceIdSearchForms, validateTraceId } from '../../../src/proto/ids';

describe('validateTraceId', () => {
  it('accepts 32 hex digits in any case and surrounding space, returning lowercase', () => {
    expect(validateTraceId('  4BF92F3577B34DA6A3CE929D0E0E4736 ')).toEqual({ ok: true, id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  });

  it('accepts a 64-bit id', () => {
    expect(validateTraceId('a3ce929d0e0e4736')).toEqual({ ok: true, id: 'a3ce929d0e0e4736' });
  });

  it.each([
    ['xyz', 'hexadecimal digits 0-9 and a-f only'],
    ['4bf92f35-77b3', 'hexadecimal digits 0-9 and a-f only'],
    ['trace_id:"x" OR *', 'hexadecimal digits 0-9 and a-f only'],
    ['0'.repeat(31) + '12', 'at most 32 are allowed'],
    ['00000000000000000000000000000000', 'all-zero trace id'],
    ['', 'Enter a trace id'],
  ])('rejects %j with a message naming the problem', (raw, fragment) => {
    const check = validateTraceId(raw);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.message).toContain(fragment);
  });
});

describe('traceIdSearchForms', () => {
  it('searches a short id as given and left-padded to 16 and 32 digits', () => {
    expect(traceIdSearchForms('abc')).toEqual(['abc', '00000000000000000000000000000abc', '0000000000000abc']);
  });

  it('searches a 128-bit id whose upper half is zero also by its 64-bit low half', () => {
    expect(traceIdSearchForms('0000000000000000a3ce929d0e0e4736')).toEqual(['0000000000000000a3ce929d0e0e4736', 'a3ce929d0e0e4736']);
  });
});

describe('normaliseSpanId', () => {
  it('treats empty, all-zero and non-hex ids as absent, so such spans are roots', () => {
    expect([normaliseSpanId(''), normaliseSpanId('0000000000000000'), normaliseSpanId('zz'), normaliseSpanId(42)]).toEqual([undefined, undefined, undefined, undefined]);
    expect(normaliseSpanId('00F067AA0BA902B7')).toBe('00f067aa0ba902b7');
  });
});
