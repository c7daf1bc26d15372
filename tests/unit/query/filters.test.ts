import { FilterError, parseDuration, parseLogfmt } from '../../../src/query/filters';

describe('parseDuration', () => {
  it.each([
    ['1.2s', '1200000000'],
    ['100ms', '100000000'],
    ['500us', '500000'],
    ['500µs', '500000'],
    ['0.5ms', '500000'],
    ['250ns', '250'],
    ['2m', '120000000000'],
    ['1h', '3600000000000'],
    [' 3s ', '3000000000'],
  ])('reads %s exactly as %s ns', (text, ns) => {
    expect(parseDuration(text)).toBe(BigInt(ns));
  });

  it.each(['1.2', 's', '-1s', '1.2 sec', '1e3ms', ''])('names the problem with %j', (text) => {
    expect(() => parseDuration(text, 'min duration')).toThrow(new FilterError(`min duration '${text}' is not a duration: write a number and a unit, e.g. 1.2s, 100ms, 500us (units ns, us, ms, s, m, h)`));
  });

  it('takes the longest duration 64-bit nanoseconds hold, and refuses anything longer before it reaches an engine', () => {
    expect(parseDuration('2562047h')).toBe(BigInt('9223369200000000000'));
    expect(() => parseDuration('99999999999h', 'min duration')).toThrow(
      new FilterError("min duration '99999999999h' is longer than any span can last: OpenTelemetry counts nanoseconds in 64 bits, at most about 106,751 days (2562047h)")
    );
  });
});

describe('parseLogfmt', () => {
  it('reads plain and quoted pairs, keeping quotes, backslashes, *, : and non-ASCII literally', () => {
    expect(parseLogfmt('http.response.status_code=500 app.user.vip=true name="a b" q="say \\"hi\\" c:\\\\d*" city=Zürich')).toEqual([
      { key: 'http.response.status_code', value: '500', quoted: false },
      { key: 'app.user.vip', value: 'true', quoted: false },
      { key: 'name', value: 'a b', quoted: true },
      { key: 'q', value: 'say "hi" c:\\d*', quoted: true },
      { key: 'city', value: 'Zürich', quoted: false },
    ]);
  });

  it('accepts an empty filter and extra spaces', () => {
    expect(parseLogfmt('   ')).toEqual([]);
    expect(parseLogfmt('  a=1   b=2 ')).toEqual([
      { key: 'a', value: '1', quoted: false },
      { key: 'b', value: '2', quoted: false },
    ]);
  });

  it.each([
    ['status', "'status' has no '=value'"],
    ['=5', 'a key is missing'],
    ['name="open', "the quoted value of 'name' is not closed"],
  ])('says what is wrong with %j', (text, why) => {
    expect(() => parseLogfmt(text)).toThrow(why);
  });
});
