/**
 * The pure parts of the engine runner. No `@jest-environment node` docblock: jest-setup.js patches
 * HTMLCanvasElement, which only jsdom has, and nothing here needs more than jsdom offers.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

import { cacheDir, choosePort, javaMajor, planPorts } from '../../src/cli/engineRunner';

describe('planPorts', () => {
  it('gives node N the port after node N-1, and the runner the port before node 1 as its base', () => {
    expect(planPorts('opensearch', 9201, 3)).toEqual({ port: 9201, basePort: 9200, ports: [9201, 9202, 9203] });
    expect(planPorts('elasticsearch', 9299, 1)).toEqual({ port: 9299, basePort: 9298, ports: [9299] });
    expect(planPorts('elasticsearch', 9201, 99).ports).toHaveLength(99);
  });

  it('refuses ports the embedded runners cannot serve, naming the range that works', () => {
    expect(() => planPorts('opensearch', 9200, 1)).toThrow(
      'opensearch: 1 node from port 9200 would need HTTP ports 9200-9200, but the embedded engines serve HTTP only on ' +
        '9201-9299: choose a port from 9201 to 9299'
    );
    expect(() => planPorts('elasticsearch', 9298, 3)).toThrow(
      'elasticsearch: 3 nodes from port 9298 would need HTTP ports 9298-9300, but the embedded engines serve HTTP ' +
        'only on 9201-9299: choose a port from 9201 to 9297'
    );
    expect(() => planPorts('opensearch', 9300, 1)).toThrow('choose a port from 9201 to 9299');
    expect(() => planPorts('opensearch', 9201.5, 1)).toThrow('would need HTTP ports');
  });

  it('refuses node counts that are not whole or do not fit the range', () => {
    expect(() => planPorts('opensearch', 9201, 0)).toThrow(
      'opensearch: the number of nodes must be an integer from 1 to 99, not 0'
    );
    expect(() => planPorts('opensearch', 9201, 100)).toThrow('not 100');
    expect(() => planPorts('opensearch', 9201, 1.5)).toThrow('not 1.5');
  });
});

describe('choosePort', () => {
  const busy = (ports: number[]) => (port: number) => ports.includes(port);

  it('starts at 9201 for OpenSearch and 9211 for Elasticsearch', async () => {
    expect(await choosePort('opensearch', 1, busy([]))).toBe(9201);
    expect(await choosePort('elasticsearch', 1, busy([]))).toBe(9211);
  });

  it('skips ports in use, also when only a later node would collide', async () => {
    expect(await choosePort('opensearch', 1, busy([9201]))).toBe(9202);
    expect(await choosePort('elasticsearch', 1, busy([9211, 9212]))).toBe(9213);
    expect(await choosePort('opensearch', 3, busy([9203]))).toBe(9204);
  });

  it('accepts an asynchronous probe', async () => {
    expect(await choosePort('opensearch', 2, async (port) => port < 9205)).toBe(9205);
  });

  it('wraps around below the default when everything above it is taken', async () => {
    expect(await choosePort('elasticsearch', 2, (port) => port >= 9211)).toBe(9201);
    expect(await choosePort('elasticsearch', 2, (port) => port >= 9211 || port < 9203)).toBe(9203);
  });

  it('keeps a cluster inside 9201-9299', async () => {
    expect(await choosePort('opensearch', 3, (port) => port < 9297)).toBe(9297);
  });

  it('says what to do when no ports are left', async () => {
    await expect(choosePort('opensearch', 1, () => true)).rejects.toThrow(
      "opensearch: no free HTTP port in 9201-9299: stop engines you no longer need ('estraces engine status' lists those estraces started)"
    );
    await expect(choosePort('elasticsearch', 2, (port) => port % 2 === 0)).rejects.toThrow(
      'elasticsearch: no 2 consecutive free HTTP ports in 9201-9299'
    );
    await expect(choosePort('opensearch', 0, () => false)).rejects.toThrow('the number of nodes must be');
  });
});

describe('javaMajor', () => {
  it('reads the major version of old and new version strings', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toBe(17);
    expect(javaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajor('java version "1.8.0_392"')).toBe(8);
    expect(javaMajor('something else')).toBeUndefined();
  });
});

describe('cacheDir', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('prefers ESTRACES_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    process.env.ESTRACES_CACHE_DIR = '/srv/cache';
    process.env.XDG_CACHE_HOME = '/xdg';
    expect(cacheDir()).toBe('/srv/cache');
    delete process.env.ESTRACES_CACHE_DIR;
    expect(cacheDir()).toBe('/xdg/estraces');
    delete process.env.XDG_CACHE_HOME;
    expect(cacheDir()).toBe(join(homedir(), '.cache', 'estraces'));
  });
});
