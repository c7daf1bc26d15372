/**
 * Where the Node transport sends requests, and as whom. A URL may carry `user:password@`, which
 * fetch refuses in a request URL: it becomes a basic Authorization header, and the URL every
 * message shows has no user info. Credentials from two places that could both apply are refused,
 * as Grafana's own data sources refuse ambiguous authentication.
 */
import { EngineError } from './errors';

export interface CredentialSources {
  /** The engine URL, possibly with user info. */
  url: string;
  username?: string;
  password?: string;
  apiKey?: string;
}

/** How messages name each source, in the words of whoever set it (flags, environment variables). */
export interface CredentialNames {
  url: string;
  username: string;
  password: string;
  apiKey: string;
}

export interface Endpoint {
  /** The URL without user info, query or trailing slash: requests go below it, messages name it. */
  base: string;
  authorization?: string;
}

const GENERIC_NAMES: CredentialNames = { url: 'the URL', username: 'the user name', password: 'the password', apiKey: 'the API key' };

/** Remove `user:password@` from every URL in a text; for anything shown that may hold a URL. */
export function redactUserInfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, '$1');
}

/** The base URL and Authorization header for a set of credential sources; EngineError 'config' when they conflict. */
export function resolveEndpoint(sources: CredentialSources, names: CredentialNames = GENERIC_NAMES): Endpoint {
  const url = parseUrl(sources.url, names);
  const urlUser = url.username === '' ? undefined : decodeURIComponent(url.username);
  const urlPassword = url.password === '' ? undefined : decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const base = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  return { base, authorization: authorization(sources, urlUser, urlPassword, names) };
}

function parseUrl(text: string, names: CredentialNames): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EngineError('config', `${names.url} '${redactUserInfo(text)}' is not a URL: give the engine's address, e.g. http://127.0.0.1:9200`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EngineError('config', `${names.url} '${redactUserInfo(text)}' is not an http or https URL: give the engine's address, e.g. http://127.0.0.1:9200`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new EngineError('config', `${names.url} '${redactUserInfo(text)}' has a query or fragment: give the engine's address alone, e.g. http://127.0.0.1:9200`);
  }
  return url;
}

function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function authorization(sources: CredentialSources, urlUser: string | undefined, urlPassword: string | undefined, names: CredentialNames): string | undefined {
  const username = given(sources.username);
  const password = given(sources.password);
  const apiKey = given(sources.apiKey);
  const inUrl = `the user info in ${names.url}`;
  if (urlUser !== undefined && username !== undefined) {
    throw new EngineError('config', `a user is given twice, in ${inUrl} and in ${names.username}: give it in one place only`);
  }
  if (urlPassword !== undefined && password !== undefined) {
    throw new EngineError('config', `a password is given twice, in ${inUrl} and in ${names.password}: give it in one place only`);
  }
  const user = urlUser ?? username;
  const secret = urlPassword ?? password;
  if (apiKey !== undefined && (user !== undefined || secret !== undefined)) {
    const other = urlUser !== undefined || urlPassword !== undefined ? inUrl : username !== undefined ? names.username : names.password;
    throw new EngineError('config', `both ${names.apiKey} and a user/password (${other}) are set: use one way to authenticate, not both`);
  }
  if (apiKey !== undefined) {
    return `ApiKey ${apiKey}`;
  }
  if (user !== undefined && secret === undefined) {
    throw new EngineError('config', `a user is given (${urlUser !== undefined ? inUrl : names.username}) without a password: set ${names.password} too, or write user:password@ in ${names.url}`);
  }
  if (user === undefined && secret !== undefined) {
    throw new EngineError('config', `a password is given (${urlPassword !== undefined ? inUrl : names.password}) without a user: set ${names.username} too`);
  }
  return user === undefined ? undefined : `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
}

/** Longest timeout a timer can hold (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A timeout in milliseconds from a setting such as an environment variable, named in the message when it is not one. */
export function parseTimeoutMs(value: string | undefined, name: string, fallbackMs: number): number {
  if (value === undefined || value.trim() === '') {
    return fallbackMs;
  }
  const ms = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new EngineError('config', `${name} must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (got '${value}'), e.g. ${name}=120000 for two minutes`);
  }
  return ms;
}
