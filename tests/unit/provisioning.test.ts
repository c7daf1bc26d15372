import fs from 'fs';
import path from 'path';

/** The provisioned overview dashboard must load in Grafana and query this plugin. */
const root = path.resolve(__dirname, '../..');
const pluginId: string = JSON.parse(fs.readFileSync(path.join(root, 'plugin.json'), 'utf8')).id;
const dashboardFile = path.join(root, 'provisioning/dashboards/es-traces.json');

interface Target {
  refId?: string;
  queryType?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { h?: number; w?: number; x?: number; y?: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface TemplateVariable {
  name: string;
  type: string;
  query?: unknown;
  includeAll?: boolean;
  datasource?: { type?: string; uid?: string };
}

function loadDashboard() {
  return JSON.parse(fs.readFileSync(dashboardFile, 'utf8'));
}

const QUERY_TYPES = ['traceId', 'search', 'scatter', 'histogram'];

describe('provisioned ES Traces dashboard', () => {
  const dashboard = loadDashboard();
  const panels: Panel[] = dashboard.panels;
  const targets = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

  it('parses as JSON with its uid, title and a recent schema version', () => {
    expect(() => loadDashboard()).not.toThrow();
    expect(dashboard.uid).toBe('es-traces-overview');
    expect(dashboard.title).toBe('ES Traces overview');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
  });

  it('has panels, each with a unique id and a grid position', () => {
    expect(panels.length).toBeGreaterThan(0);
    const ids = panels.map((panel) => panel.id);
    ids.forEach((id) => expect(typeof id).toBe('number'));
    expect(new Set(ids).size).toBe(ids.length);
    panels.forEach((panel) => {
      expect(panel.gridPos).toEqual({
        h: expect.any(Number),
        w: expect.any(Number),
        x: expect.any(Number),
        y: expect.any(Number),
      });
    });
  });

  it('queries the plugin through the ds variable in every panel and target', () => {
    expect(targets.length).toBeGreaterThan(0);
    panels.forEach((panel) => expect(panel.datasource).toEqual({ type: pluginId, uid: '${ds}' }));
    targets.forEach(({ target }) => expect(target.datasource).toEqual({ type: pluginId, uid: '${ds}' }));
  });

  it('uses only query types the plugin knows, with a refId unique within each panel', () => {
    targets.forEach(({ target }) => expect(QUERY_TYPES).toContain(target.queryType));
    panels.forEach((panel) => {
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      refIds.forEach((refId) => expect(refId).toEqual(expect.any(String)));
      expect(new Set(refIds).size).toBe(refIds.length);
    });
  });

  it('shows the expected panels', () => {
    expect(panels.map(({ type, title }) => ({ type, title }))).toEqual([
      { type: 'xychart', title: 'Trace durations' },
      { type: 'histogram', title: 'Duration distribution' },
      { type: 'table', title: 'Traces' },
      { type: 'timeseries', title: 'Errors over time' },
    ]);
  });

  it('offers a data source variable for the plugin and a service variable listing services', () => {
    const variables: TemplateVariable[] = dashboard.templating.list;
    const ds = variables.find((variable) => variable.name === 'ds');
    expect(ds).toMatchObject({ type: 'datasource', query: pluginId });
    const service = variables.find((variable) => variable.name === 'service');
    expect(service).toMatchObject({
      type: 'query',
      query: { kind: 'services' },
      includeAll: true,
      datasource: { type: pluginId, uid: '${ds}' },
    });
  });

  it('filters every target by the service variable', () => {
    targets.forEach(({ target }) => expect(target).toHaveProperty('service', '$service'));
  });
});
