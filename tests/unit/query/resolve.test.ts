import { resolvePattern } from '../../../src/query/resolve';
import { resolveLogsPattern } from '../../../src/query/logs';

const notAnEngine = (answer: unknown) => ({ description: 'http://proxy:8080', mapping: async () => answer as never });

describe('resolving a pattern against something that is not an engine', () => {
  it.each([[{ hello: 'world' }], [{ status: 'ok', version: 3 }], [['a', 'b']], ['text']])('says the URL does not look like an engine when the mapping answer is %j', async (answer) => {
    const message = "http://proxy:8080 answered the mapping request for 'traces*' with JSON that is not an index mapping: is this URL an Elasticsearch or OpenSearch endpoint (not Kibana, OpenSearch Dashboards or another service)?";
    await expect(resolvePattern(notAnEngine(answer), 'traces*', 'auto')).rejects.toThrow(message);
    await expect(resolveLogsPattern(notAnEngine(answer), 'traces*')).rejects.toThrow(message);
  });

  it('still names a pattern that matches no index (an empty mapping answer)', async () => {
    await expect(resolvePattern(notAnEngine({}), 'traces*', 'auto')).rejects.toThrow("index pattern 'traces*' matches no index on http://proxy:8080");
  });
});
