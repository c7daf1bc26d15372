import { EngineClient } from '../../../src/engine/client';
import { EngineError } from '../../../src/engine/errors';
import { scriptedTransport } from './scriptedTransport';

/** A transport answering each request with the next of `answers` (an Error is thrown), keeping what it was sent. */
const scripted = (...answers: unknown[]) => scriptedTransport(() => answers.shift());

describe('EngineClient on some shards', () => {
  it('searches the shards numbered as asked of every index, with the answer filtered as every search', async () => {
    const transport = scripted({ took: 1, _shards: { total: 2, successful: 2, failed: 0 }, hits: { hits: [] } });
    await new EngineClient(transport).searchShards('spans-a,spans-b', { size: 10 }, [0, 3]);
    expect(transport.requests[0]).toMatchObject({
      method: 'POST',
      path: '/spans-a,spans-b/_search?ignore_unavailable=true&allow_no_indices=true&filter_path=took,timed_out,_shards,hits.total,hits.hits._index,hits.hits._id,hits.hits._source,hits.hits.sort,aggregations&preference=_shards%3A0%2C3',
      body: { size: 10 },
    });
  });

  it('reads the shard count of each index once per client, as numbers', async () => {
    const transport = scripted({ 'spans-a': { settings: { index: { number_of_shards: '3' } } }, 'spans-b': { settings: { index: { number_of_shards: '1' } } } });
    const client = new EngineClient(transport);
    await expect(client.shardCounts('spans-a,spans-b')).resolves.toEqual(new Map([['spans-a', 3], ['spans-b', 1]]));
    await expect(client.shardCounts('spans-a,spans-b')).resolves.toEqual(new Map([['spans-a', 3], ['spans-b', 1]]));
    expect(transport.requests).toEqual([
      { method: 'GET', path: '/spans-a,spans-b/_settings/index.number_of_shards?ignore_unavailable=true&allow_no_indices=true&filter_path=*.settings.index.number_of_shards' },
    ]);
  });

  it('asks again after a failed shard count request, and says so when an answer has no shard count', async () => {
    const refused = new EngineError('auth', 'no privilege to read settings');
    const transport = scripted(refused, { spans: { settings: { index: { number_of_shards: '2' } } } }, { spans: { settings: {} } });
    const client = new EngineClient(transport);
    await expect(client.shardCounts('spans')).rejects.toBe(refused);
    await expect(client.shardCounts('spans')).resolves.toEqual(new Map([['spans', 2]]));
    await expect(new EngineClient(transport).shardCounts('spans')).rejects.toMatchObject({ kind: 'bad_response' });
  });
});
