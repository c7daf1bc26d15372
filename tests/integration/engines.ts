import { findSchema } from '../../src/proto/registry';

/**
 * The engines the integration suite runs against: started by the global setup, or the clusters a
 * user names in ESTRACES_TEST_URLS. Kinds and versions are read from the engines, never assumed.
 */
export interface TestEngine {
  kind: 'opensearch' | 'elasticsearch' | 'unknown';
  /** Without a trailing slash. */
  url: string;
  /** `version.number` of the root endpoint, e.g. `2.19.1`. */
  version: string;
  /** `version.distribution` (`opensearch`); Elasticsearch reports none, so `elasticsearch`. */
  distribution: string;
  /** e.g. `OpenSearch 2.19.1`, `Elasticsearch 7.10.2`. */
  label: string;
  /** Features some tests need that this engine does not have (the embedded Elasticsearch 8 lacks modules). */
  lacks: EngineFeature[];
}

/**
 * Parts of a full engine that an embedded build may lack: Maven Central has no lang-painless or
 * mapper-extras module for Elasticsearch 8 and 9, so the node our launcher starts runs no painless
 * script and maps no scaled_float.
 */
export type EngineFeature = 'painless' | 'scaled_float';

const FEATURE_GAPS: Record<EngineFeature, string> = {
  painless: 'no painless scripts (its lang-painless module is not on Maven Central)',
  scaled_float: 'no scaled_float field type (its mapper-extras module is not on Maven Central)',
};

/** Why a test needing `features` cannot run on `engine`, or undefined when it can. */
export function lackReason(engine: TestEngine, features: EngineFeature[]): string | undefined {
  const gaps = features.filter((feature) => engine.lacks.includes(feature));
  return gaps.length === 0 ? undefined : `${engine.label} here has ${gaps.map((feature) => FEATURE_GAPS[feature]).join(' and ')}`;
}

function versionAbove(a: string, b: string): boolean {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number));
  const i = x.findIndex((part, k) => part !== y[k]);
  return i >= 0 && x[i] > y[i];
}

/** Whether no other test engine of the same kind has a newer version. */
export function isNewestOfKind(engine: TestEngine): boolean {
  return !testEngines().some((other) => other.kind === engine.kind && versionAbove(other.version, engine.version));
}

/** Whether no other test engine of the same kind has an older version. */
export function isOldestOfKind(engine: TestEngine): boolean {
  return !testEngines().some((other) => other.kind === engine.kind && versionAbove(engine.version, other.version));
}

/** What storing a schema's documents needs beyond the core: Elastic APM's template maps numeric labels as scaled_float. */
export function ingestNeeds(schema: string): EngineFeature[] {
  return schema === 'elastic-apm' ? ['scaled_float'] : [];
}

/**
 * What trace search over a schema needs: where the producer stores no end time, a painless script
 * adds each span's duration to its start for the trace's end (summaries, `slowest`, log windows).
 */
export function searchNeeds(schema: string): EngineFeature[] {
  const search = findSchema(schema)?.search;
  return [...ingestNeeds(schema), ...(search && search.end === undefined ? (['painless'] as const) : [])];
}

/** What a span duration filter needs: where no field stores the duration (ss4o), a script takes end minus start. */
export function durationFilterNeeds(schema: string): EngineFeature[] {
  const search = findSchema(schema)?.search;
  return search && search.durations.length === 0 ? ['painless'] : [];
}

/**
 * `it` where the engine has the features a test needs; elsewhere a skip whose name gives the
 * reason, so a run lists what it did not test and why.
 */
export function itWhere(engine: TestEngine, features: EngineFeature[]): (name: string, fn: () => Promise<void>) => void {
  return itUnless(lackReason(engine, features));
}

/**
 * `it`, or where `reason` is given (what the engine lacks) a skip whose name says it; the
 * integration run's skip reporter lists every such test under its reason.
 */
export function itUnless(reason: string | undefined): (name: string, fn: () => Promise<void>) => void {
  return reason ? (name) => it.skip(`${name} [skipped: ${reason}]`, () => undefined) : (name, fn) => it(name, fn);
}

function isTestEngine(value: unknown): value is TestEngine {
  const engine = value as Partial<TestEngine> | null;
  return (
    typeof engine === 'object' && engine !== null && typeof engine.url === 'string' && typeof engine.label === 'string'
  );
}

export function testEngines(): TestEngine[] {
  const stored = process.env.ESTRACES_TEST_ENGINES;
  if (!stored) {
    throw new Error(
      'ESTRACES_TEST_ENGINES is not set: run the integration tests with `npm run test:integration` ' +
        '(jest -c jest.integration.config.js), whose global setup starts the engines or reads ESTRACES_TEST_URLS'
    );
  }
  const engines: unknown = JSON.parse(stored);
  if (!Array.isArray(engines) || !engines.every(isTestEngine)) {
    throw new Error(`ESTRACES_TEST_ENGINES does not hold a list of engines: ${stored.slice(0, 200)}`);
  }
  return engines;
}

/**
 * Send a request to a path of an engine. A URL may carry `user:password@`, which fetch refuses in
 * the URL itself, so it is sent as a basic Authorization header instead.
 */
export async function engineRequest(url: string, path: string, method = 'GET', body?: unknown): Promise<Response> {
  const target = new URL(path, `${url.replace(/\/+$/, '')}/`);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (target.username) {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  try {
    return await fetch(target, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot reach ${url} (${cause}): is the engine running and the URL right?`);
  }
}

/** GET a path of an engine. */
export function engineGet(url: string, path: string): Promise<Response> {
  return engineRequest(url, path);
}

interface RootBody {
  version?: { number?: string; distribution?: string };
  tagline?: string;
}

function kindOf(body: RootBody): TestEngine['kind'] {
  if (body.version?.distribution === 'opensearch') {
    return 'opensearch';
  }
  // Elasticsearch has no distribution field, but has said this since 1.0.
  return body.version?.distribution === undefined && body.tagline === 'You Know, for Search'
    ? 'elasticsearch'
    : 'unknown';
}

const NAMES: Record<TestEngine['kind'], string> = {
  opensearch: 'OpenSearch',
  elasticsearch: 'Elasticsearch',
  unknown: 'unknown engine',
};

async function send(url: string, method: string, path: string, body?: unknown): Promise<number> {
  const response = await engineRequest(url, path, method, body);
  await response.arrayBuffer();
  return response.status;
}

/** Tried, not inferred from the version: a user's own cluster may have disabled scripts. */
async function probeLacks(url: string): Promise<EngineFeature[]> {
  const lacks: EngineFeature[] = [];
  if ((await send(url, 'POST', '_scripts/painless/_execute', { script: { source: '1' } })) !== 200) {
    lacks.push('painless');
  }
  const probe = `estraces-probe-${process.pid}-${Date.now().toString(36)}`;
  const created = await send(url, 'PUT', probe, { mappings: { properties: { scaled: { type: 'scaled_float', scaling_factor: 100 } } } });
  if (created === 200) {
    await send(url, 'DELETE', probe);
  } else {
    lacks.push('scaled_float');
  }
  return lacks;
}

/** What the engine at `url` says it is, from `GET /`, and what it lacks. */
export async function describeEngine(url: string): Promise<TestEngine> {
  const response = await engineGet(url, '');
  if (!response.ok) {
    throw new Error(`${url} answered HTTP ${response.status} to GET /: check the URL and its credentials`);
  }
  const body = (await response.json()) as RootBody;
  const version = body.version?.number;
  if (!version) {
    throw new Error(`${url} does not answer like Elasticsearch or OpenSearch (no version.number in GET /)`);
  }
  const kind = kindOf(body);
  const distribution = body.version?.distribution ?? (kind === 'elasticsearch' ? 'elasticsearch' : '');
  const base = url.replace(/\/+$/, '');
  return { kind, url: base, version, distribution, label: `${NAMES[kind]} ${version}`, lacks: await probeLacks(base) };
}
