/**
 * @jest-environment-options {"customExportConditions": ["node", "require"]}
 */
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';

import { OTEL_LOGS_SUFFIX } from '../../src/proto/otel';

/**
 * `docker compose up` must give a working setup with nothing to edit. Docker cannot run here, so
 * the compose file and what it mounts are read as Docker and Grafana read them, and checked to
 * agree: the demo goes into the Elasticsearch the provisioned data source reads, under the index
 * names it reads, and Grafana loads the plugin built before it starts.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => parse(fs.readFileSync(path.join(root, file), 'utf8'));
const pluginId: string = JSON.parse(fs.readFileSync(path.join(root, 'src/plugin.json'), 'utf8')).id;

interface Service {
  image?: string;
  command?: string[] | string;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  extends?: { file: string; service: string };
  working_dir?: string;
}

const compose = read('docker-compose.yaml') as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { elasticsearch, estraces, grafana } = compose.services;
const base = (read(grafana.extends!.file) as { services: Record<string, Service> }).services[grafana.extends!.service];

/** Host path (relative to the compose file) mounted at `target` in a service; the later mount of a target wins. */
function mountedAt(volumes: string[], relativeTo: string, target: string): string | undefined {
  const found = volumes.map((volume) => volume.split(':')).filter(([, inside]) => inside === target);
  const host = found[found.length - 1]?.[0];
  return host === undefined ? undefined : path.relative(root, path.resolve(root, relativeTo, host)) || '.';
}

const grafanaMounts = (target: string) => mountedAt(grafana.volumes ?? [], '.', target) ?? mountedAt(base.volumes ?? [], path.dirname(grafana.extends!.file), target);

describe('docker-compose.yaml', () => {
  it('runs an Elasticsearch 8 with a health check the other services wait on', () => {
    expect(elasticsearch.image).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:8\.\d+\.\d+$/);
    expect(elasticsearch.healthcheck?.test.join(' ')).toContain('http://localhost:9200/_cluster/health');
    expect(estraces.depends_on).toEqual({ elasticsearch: { condition: 'service_healthy' } });
  });

  it('loads the demo into that Elasticsearch by its service name, after building the plugin', () => {
    const command = Array.isArray(estraces.command) ? estraces.command.join(' ') : String(estraces.command);
    expect(command).toContain('npm ci && npm run build && node bin/estraces.js demo --url http://elasticsearch:9200');
    expect(mountedAt(estraces.volumes ?? [], '.', estraces.working_dir!)).toBe('.');
    // node_modules in a named volume: the container's install never touches the host's checkout.
    const modules = (estraces.volumes ?? []).find((volume) => volume.endsWith(`:${estraces.working_dir}/node_modules`));
    expect(Object.keys(compose.volumes ?? {})).toContain(modules?.split(':')[0]);
  });

  it('starts Grafana once the plugin is built and the demo loaded, with the built plugin mounted under its id', () => {
    expect(grafana.depends_on).toEqual({ estraces: { condition: 'service_completed_successfully' } });
    expect(grafanaMounts(`/var/lib/grafana/plugins/${pluginId}`)).toBe('dist');
    expect((base as { environment?: Record<string, string> }).environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(pluginId);
  });

  describe('the data source Grafana provisions', () => {
    const folder = grafanaMounts('/etc/grafana/provisioning/datasources');
    const files = fs.readdirSync(path.join(root, folder!)).filter((file) => /\.ya?ml$/.test(file));
    const datasources = files.flatMap((file) => (read(path.join(folder!, file)) as { datasources: Array<Record<string, unknown>> }).datasources);

    it('is the compose file\'s own, in place of the one for the embedded demo engine', () => {
      expect(grafanaMounts('/etc/grafana/provisioning')).toBe('provisioning');
      expect(folder).toBe('provisioning/docker');
      expect(datasources).toHaveLength(1);
    });

    it('is this plugin, reading the Elasticsearch service at the URL the demo was loaded through', () => {
      const [datasource] = datasources;
      expect(datasource).toMatchObject({ type: pluginId, access: 'proxy', url: 'http://elasticsearch:9200' });
      const [host, port] = new URL(String(datasource.url)).host.split(':');
      expect(compose.services[host]).toBe(elasticsearch);
      expect(elasticsearch.ports).toContain(`${port}:${port}`);
    });

    it('reads the indices the demo writes: its spans and its logs (launcherEngines.test.ts runs the demo into them)', () => {
      const jsonData = datasources[0].jsonData as Record<string, string>;
      expect(jsonData.spanIndex).toBe('estraces-demo*');
      expect(jsonData.logsIndex).toBe(`estraces-demo${OTEL_LOGS_SUFFIX}`);
      expect(jsonData.schema).toBe('auto');
    });
  });
});
