/**
 * The engines the integration suite runs against: started by the global setup, or the clusters a
 * user names in ESTRACES_TEST_URLS. Versions are read from the engines, never assumed.
 */
export interface TestEngine {
  kind: 'opensearch' | 'elasticsearch';
  url: string;
  version: string;
  /** e.g. `OpenSearch 2.19.1`. */
  label: string;
}

export function testEngines(): TestEngine[] {
  const stored = process.env.ESTRACES_TEST_ENGINES;
  if (!stored) {
    throw new Error('ESTRACES_TEST_ENGINES is not set: run the integration tests with `npm run test:integration` so the global setup starts the engines');
  }
  return JSON.parse(stored) as TestEngine[];
}

export async function describeEngine(url: string): Promise<TestEngine> {
  const response = await fetch(`${url.replace(/\/+$/, '')}/`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { version?: { number?: string; distribution?: string } };
  const version = body.version?.number;
  if (!version) {
    throw new Error(`${url} does not answer like Elasticsearch or OpenSearch`);
  }
  const kind = body.version?.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch';
  return { kind, url: url.replace(/\/+$/, ''), version, label: `${kind === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version}` };
}
