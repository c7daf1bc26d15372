import { serviceMapFrames } from '../../../src/frames/serviceMapFrames';
import type { ServiceMap } from '../../../src/query/serviceMap';

const map: ServiceMap = {
  nodes: [
    { id: 'api', name: 'api', kind: 'service', requests: 120, errors: 30, p50Ms: 12, p95Ms: 40 },
    { id: 'web', name: 'web', kind: 'service', requests: 0, errors: 0, p50Ms: null, p95Ms: null },
    { id: 'peer:postgresql orders', name: 'postgresql orders', kind: 'virtual', tags: 'db.system=postgresql db.namespace=orders', requests: 60, errors: 0, p50Ms: 2, p95Ms: 5 },
  ],
  edges: [
    { source: 'web', target: 'api', calls: 120, errors: 30, p50Ms: 12, p95Ms: 40 },
    { source: 'api', target: 'peer:postgresql orders', calls: 60, errors: 0, p50Ms: 2, p95Ms: 5 },
  ],
  warnings: ['edges and peers from a sample'],
  sampled: 0.5,
  rangeSeconds: 60,
};
const target = { datasourceUid: 'uid1', datasourceName: 'Traces' };
const values = (frame: { fields: Array<{ name: string; values: unknown[] }> }) => Object.fromEntries(frame.fields.map((field) => [field.name, field.values]));

describe('service map frames', () => {
  const [nodes, edges] = serviceMapFrames(map, target, 'A');

  it('are the node graph frames, with the warnings as notices on the nodes', () => {
    expect([nodes.name, edges.name, nodes.meta?.preferredVisualisationType, edges.meta?.preferredVisualisationType]).toEqual(['Nodes', 'Edges', 'nodeGraph', 'nodeGraph']);
    expect(nodes.meta?.notices).toEqual([{ severity: 'warning', text: 'edges and peers from a sample' }]);
    expect([nodes.refId, edges.refId]).toEqual(['A', 'A']);
  });

  it('give each node its request rate over the range, p95 and the failed share as arcs that add up to one', () => {
    const node = values(nodes);
    expect(node.id).toEqual(['api', 'web', 'peer:postgresql orders']);
    expect(node.subtitle).toEqual(['', '', 'not traced']);
    expect(node.mainstat).toEqual([2, 0, 1]);
    expect(node.secondarystat).toEqual([40, null, 5]);
    expect(node.arc__failed).toEqual([0.25, 0, 0]);
    expect(node.arc__success).toEqual([0.75, 1, 1]);
  });

  it('link nodes and edges to a search: a service by its name, a peer by the attributes that name it on its callers', () => {
    const node = values(nodes);
    const edge = values(edges);
    expect([node.searchService, node.searchTags]).toEqual([['api', 'web', ''], ['', '', 'db.system=postgresql db.namespace=orders']]);
    expect([edge.searchService, edge.searchTags]).toEqual([['api', 'api'], ['', 'db.system=postgresql db.namespace=orders']]);
    const link = nodes.fields[0].config.links?.[0];
    expect(link?.internal).toEqual({ datasourceUid: 'uid1', datasourceName: 'Traces', query: { queryType: 'search', service: '${__data.fields.searchService}', tags: '${__data.fields.searchTags}' } });
    expect(edge.id).toEqual(['web->api', 'api->peer:postgresql orders']);
    expect(edge.mainstat).toEqual([2, 1]);
  });
});
