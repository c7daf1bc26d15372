import { parseTimeoutMs, redactUserInfo, resolveEndpoint } from '../../../src/engine/endpoint';
import { createNodeTransport } from '../../../src/engine/nodeTransport';

const CLI = { url: '--url', username: 'ESTRACES_USERNAME', password: 'ESTRACES_PASSWORD', apiKey: 'ESTRACES_API_KEY' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('resolveEndpoint', () => {
  it('turns user:password in the URL into basic auth and a base URL without them', () => {
    expect(resolveEndpoint({ url: 'http://elastic:changeme@127.0.0.1:9200/' }, CLI)).toEqual({ base: 'http://127.0.0.1:9200', authorization: basic('elastic', 'changeme') });
  });

  it('decodes percent-encoded user info, so passwords may hold @ and :', () => {
    expect(resolveEndpoint({ url: 'https://me%40corp:p%3Ass%40w0rd@es.example.com/search/' }, CLI)).toEqual({ base: 'https://es.example.com/search', authorization: basic('me@corp', 'p:ss@w0rd') });
  });

  it('takes a user and password from their own settings, or an API key', () => {
    expect(resolveEndpoint({ url: 'http://es:9200', username: 'u', password: 'p' }, CLI).authorization).toBe(basic('u', 'p'));
    expect(resolveEndpoint({ url: 'http://es:9200', apiKey: 'a2V5' }, CLI).authorization).toBe('ApiKey a2V5');
    expect(resolveEndpoint({ url: 'http://es:9200', username: '', password: '', apiKey: '' }, CLI).authorization).toBeUndefined();
  });

  it('accepts a user in the URL with the password from its own setting, keeping it out of shell history', () => {
    expect(resolveEndpoint({ url: 'http://u@es:9200', password: 'p' }, CLI).authorization).toBe(basic('u', 'p'));
  });

  it('refuses an API key beside a user and password, naming where each came from', () => {
    expect(() => resolveEndpoint({ url: 'http://u:p@es:9200', apiKey: 'k' }, CLI)).toThrow('both ESTRACES_API_KEY and a user/password (the user info in --url) are set: use one way to authenticate, not both');
    expect(() => resolveEndpoint({ url: 'http://es:9200', username: 'u', password: 'p', apiKey: 'k' }, CLI)).toThrow(
      'both ESTRACES_API_KEY and a user/password (ESTRACES_USERNAME) are set: use one way to authenticate, not both'
    );
  });

  it('refuses a user without a password and a password without a user', () => {
    expect(() => resolveEndpoint({ url: 'http://u@es:9200' }, CLI)).toThrow('a user is given (the user info in --url) without a password: set ESTRACES_PASSWORD too, or write user:password@ in --url');
    expect(() => resolveEndpoint({ url: 'http://es:9200', username: 'u' }, CLI)).toThrow('a user is given (ESTRACES_USERNAME) without a password');
    expect(() => resolveEndpoint({ url: 'http://es:9200', password: 'p' }, CLI)).toThrow('a password is given (ESTRACES_PASSWORD) without a user: set ESTRACES_USERNAME too');
  });

  it('refuses a user or password given in two places', () => {
    expect(() => resolveEndpoint({ url: 'http://u:p@es:9200', username: 'v', password: 'q' }, CLI)).toThrow('a user is given twice, in the user info in --url and in ESTRACES_USERNAME: give it in one place only');
    expect(() => resolveEndpoint({ url: 'http://u:p@es:9200', password: 'q' }, CLI)).toThrow('a password is given twice, in the user info in --url and in ESTRACES_PASSWORD: give it in one place only');
  });

  it('names a URL it cannot use without repeating its password', () => {
    const error = (url: string) => {
      try {
        resolveEndpoint({ url }, CLI);
      } catch (e) {
        return e as Error;
      }
      throw new Error(`${url} was accepted`);
    };
    expect(error('u:secret@es:9200')).toMatchObject({ kind: 'config' });
    expect(error('ftp://u:secret@es:9200').message).toBe("--url 'ftp://es:9200' is not an http or https URL: give the engine's address, e.g. http://127.0.0.1:9200");
    expect(error('http://u:secret@es:9200/?pretty').message).toBe("--url 'http://es:9200/?pretty' has a query or fragment: give the engine's address alone, e.g. http://127.0.0.1:9200");
    expect(error('http://u:secret@es:port').message).toBe("--url 'http://es:port' is not a URL: give the engine's address, e.g. http://127.0.0.1:9200");
  });
});

describe('createNodeTransport', () => {
  it('names the engine without user info in every message', () => {
    expect(createNodeTransport({ url: 'http://u:secret@127.0.0.1:9200/' }).description).toBe('http://127.0.0.1:9200');
  });

  it('refuses ambiguous credentials before sending anything', () => {
    expect(() => createNodeTransport({ url: 'http://es:9200', username: 'u', password: 'p', apiKey: 'k' })).toThrow('both the API key and a user/password (the user name) are set: use one way to authenticate, not both');
  });
});

describe('redactUserInfo', () => {
  it('removes user info from every URL in a text and leaves the rest alone', () => {
    expect(redactUserInfo('cannot reach http://u:p@a:9200 or https://token@b/x, mail me@example.com')).toBe('cannot reach http://a:9200 or https://b/x, mail me@example.com');
  });
});

describe('parseTimeoutMs', () => {
  it('reads whole milliseconds, and the fallback when unset or blank', () => {
    expect(parseTimeoutMs('300', 'ESTRACES_TIMEOUT_MS', 120_000)).toBe(300);
    expect(parseTimeoutMs(undefined, 'ESTRACES_TIMEOUT_MS', 120_000)).toBe(120_000);
    expect(parseTimeoutMs(' ', 'ESTRACES_TIMEOUT_MS', 120_000)).toBe(120_000);
  });

  it.each(['abc', '0', '-5', '1.5', '3000000000'])('refuses %p, naming the variable', (value) => {
    expect(() => parseTimeoutMs(value, 'ESTRACES_TIMEOUT_MS', 120_000)).toThrow(
      `ESTRACES_TIMEOUT_MS must be a whole number of milliseconds from 1 to 2147483647 (got '${value}'), e.g. ESTRACES_TIMEOUT_MS=120000 for two minutes`
    );
  });
});
