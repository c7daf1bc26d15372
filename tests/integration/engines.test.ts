/** The suite runs against both engines, whose versions are read from the engines themselves. */
import { engineStatus } from '../../src/cli/engineRunner';
import { testEngines } from './engines';
import { nodeClient } from './helpers';

describe('the integration engines', () => {
  it.each(testEngines().map((engine) => [engine.label, engine.url]))('%s at %s is healthy', async (_label, url) => {
    const health = await nodeClient(url).clusterHealth();
    expect(['green', 'yellow']).toContain(health.status);
  });

  // With ESTRACES_TEST_URLS the user chose the clusters; these two facts concern the ones we start.
  if (!process.env.ESTRACES_TEST_URLS) {
    it('are OpenSearch 2.19.1 and Elasticsearch 7.10.2, as their root endpoints report', () => {
      expect(testEngines().map((engine) => engine.label).sort()).toEqual(['Elasticsearch 7.10.2', 'OpenSearch 2.19.1']);
    });

    it('are listed as running by estraces engine status', async () => {
      const running = await engineStatus();
      for (const engine of testEngines()) {
        expect(running.find((entry) => entry.url === engine.url)).toMatchObject({ alive: true, version: engine.version });
      }
    });
  }
});
