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
 * GET a path of an engine. A URL may carry `user:password@`, which fetch refuses in the URL
 * itself, so it is sent as a basic Authorization header instead.
 */
export async function engineGet(url: string, path: string): Promise<Response> {
  const target = new URL(path, `${url.replace(/\/+$/, '')}/`);
  const headers: Record<string, string> = {};
  if (target.username) {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  try {
    return await fetch(target, { headers, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot reach ${url} (${cause}): is the engine running and the URL right?`);
  }
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

/** What the engine at `url` says it is, from `GET /`. */
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
  return { kind, url: url.replace(/\/+$/, ''), version, distribution, label: `${NAMES[kind]} ${version}` };
}
