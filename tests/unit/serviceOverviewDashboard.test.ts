import fs from 'fs';
import path from 'path';

import { FieldType, getFieldDisplayName } from '@grafana/data';

import { metricsFrames } from '../../src/frames/metricsFrames';

/** The provisioned service overview: the service map, RED panels of a service, its operations and slowest traces. */
const root = path.resolve(__dirname, '../..');
const pluginId: string = JSON.parse(fs.readFileSync(path.join(root, 'src/plugin.json'), 'utf8')).id;
const dashboard = JSON.parse(fs.readFileSync(path.join(root, 'provisioning/dashboards/service-overview.json'), 'utf8'));

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: unknown;
  targets: Array<Record<string, unknown>>;
  transformations?: Array<{ id: string; options: { include: { pattern: string } } }>;
}
const panels: Panel[] = dashboard.panels;
/** The query types DataSource.runTarget answers that this dashboard may use. */
const QUERY_TYPES = ['serviceMap', 'metrics', 'search', 'traceId'];

describe('provisioned service overview dashboard', () => {
  it('has its own uid, a unique id per panel and the panels it promises', () => {
    expect(dashboard.uid).toBe('es-traces-service-overview');
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    expect(panels.map(({ type, title }) => ({ type, title }))).toEqual([
      { type: 'nodegraph', title: 'Service map' },
      { type: 'timeseries', title: 'Requests of $service' },
      { type: 'timeseries', title: 'Error rate of $service' },
      { type: 'timeseries', title: 'Duration of $service' },
      { type: 'table', title: 'Operations of $service' },
      { type: 'table', title: 'Slowest traces of $service' },
    ]);
  });

  it('queries only this data source, through the ds variable, with its own query types', () => {
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: pluginId, uid: '${ds}' });
      for (const target of panel.targets) {
        expect(target.datasource).toEqual({ type: pluginId, uid: '${ds}' });
        expect(QUERY_TYPES).toContain(target.queryType);
      }
    }
    const ds = dashboard.templating.list.find((variable: { name: string }) => variable.name === 'ds');
    expect(ds).toMatchObject({ type: 'datasource', query: pluginId });
    const service = dashboard.templating.list.find((variable: { name: string }) => variable.name === 'service');
    expect(service).toMatchObject({ type: 'query', query: { kind: 'services' }, datasource: { type: pluginId, uid: '${ds}' } });
  });

  it("keeps, in each RED panel, exactly the series of its statistic from the metrics query's frames", () => {
    const series = [{ group: 'GET /cart', buckets: [{ time: 0, requests: 4, errors: 1, p50Ms: 1, p90Ms: 2, p99Ms: 3 }] }];
    const kept = (panel: Panel) => {
      const options = { stepMs: 60_000, fromMs: 0, toMs: 60_000, groupKey: panel.targets[0].metricsGroupBy as string | undefined };
      const frames = metricsFrames(series, options);
      const pattern = new RegExp(panel.transformations![0].options.include.pattern);
      return frames.flatMap((frame) => frame.fields.filter((field) => field.type === FieldType.number && pattern.test(getFieldDisplayName(field, frame, frames))).map((field) => field.name));
    };
    const byTitle = (title: string) => panels.find((panel) => panel.title === title)!;
    expect(kept(byTitle('Requests of $service'))).toEqual(['rate']);
    expect(kept(byTitle('Error rate of $service'))).toEqual(['errorRate']);
    expect(kept(byTitle('Duration of $service'))).toEqual(['p50', 'p90', 'p99']);
    // The time field passes every filter, so the panels keep their x axis.
    panels.filter((panel) => panel.transformations).forEach((panel) => expect(new RegExp(panel.transformations![0].options.include.pattern).test('time')).toBe(true));
  });

  it('has one service map, one operations table and a search of the slowest traces of the service', () => {
    const byType = (queryType: string) => panels.filter((panel) => panel.targets[0].queryType === queryType);
    expect(byType('metrics').filter((panel) => panel.targets[0].metricsTable)).toHaveLength(1);
    expect(byType('search')[0].targets[0]).toMatchObject({ service: '$service', sort: 'slowest' });
    expect(byType('serviceMap')).toHaveLength(1);
  });
});
