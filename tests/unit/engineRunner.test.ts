/**
 * The pure parts of the engine runner. No `@jest-environment node` docblock: jest-setup.js patches
 * HTMLCanvasElement, which only jsdom has, and nothing here needs more than jsdom offers.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import {
  cacheDir,
  choosePort,
  ENGINE_VERSIONS,
  engineVersion,
  isResolved,
  javaMajor,
  launcherMavenArgs,
  planPorts,
  requiredJava,
  runnerArgs,
} from '../../src/cli/engineRunner';

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

describe('engine versions', () => {
  it('lists the versions of each kind, the default first', () => {
    expect(ENGINE_VERSIONS).toEqual({ opensearch: ['2.19.1', '3.3.2'], elasticsearch: ['7.10.2', '8.19.0', '9.1.0'] });
    expect(engineVersion('opensearch')).toBe('2.19.1');
    expect(engineVersion('elasticsearch')).toBe('7.10.2');
    expect(engineVersion('elasticsearch', '8.19.0')).toBe('8.19.0');
  });

  it('refuses versions it cannot start, naming the ones it can', () => {
    expect(() => engineVersion('elasticsearch', '8.18.0')).toThrow(
      'elasticsearch 8.18.0 cannot be started here; the versions estraces starts are 7.10.2, 8.19.0, 9.1.0'
    );
    expect(() => engineVersion('opensearch', '8.19.0')).toThrow('the versions estraces starts are 2.19.1, 3.3.2');
    expect(() => requiredJava('elasticsearch', '9.0.0')).toThrow('elasticsearch 9.0.0 cannot be started here');
  });

  it('knows the oldest Java of each: 21 for OpenSearch 3 and Elasticsearch 9', () => {
    expect(requiredJava('opensearch')).toBe(17);
    expect(requiredJava('opensearch', '3.3.2')).toBe(21);
    expect(requiredJava('elasticsearch', '7.10.2')).toBe(17);
    expect(requiredJava('elasticsearch', '8.19.0')).toBe(17);
    expect(requiredJava('elasticsearch', '9.1.0')).toBe(21);
  });
});

describe('runnerArgs', () => {
  const plan = planPorts('elasticsearch', 9213, 2);
  const runnerOptions = ['-basePath', '/data/cluster', '-numOfNode', '2', '-baseHttpPort', '9212', '-clusterName', 'estraces-elasticsearch-9213', '-printOnFailure'];

  it('starts the codelibs runner with its options', () => {
    expect(runnerArgs('elasticsearch', '7.10.2', 'a.jar:b.jar', plan, '/data/cluster', 512)).toEqual([
      '-Xms512m',
      '-Xmx512m',
      '-cp',
      'a.jar:b.jar',
      'org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner',
      ...runnerOptions,
    ]);
  });

  it('starts our launcher for Elasticsearch 8 and 9 with the same options', () => {
    for (const version of ['8.19.0', '9.1.0']) {
      expect(runnerArgs('elasticsearch', version, 'launcher.jar', plan, '/data/cluster', 512)).toEqual([
        '-Xms512m',
        '-Xmx512m',
        '-cp',
        'launcher.jar',
        'estraces.engine.ElasticsearchLauncher',
        ...runnerOptions,
      ]);
    }
  });

  it('refuses a version it cannot start', () => {
    expect(() => runnerArgs('elasticsearch', '8.0.0', 'x.jar', plan, '/d', 512)).toThrow('elasticsearch 8.0.0 cannot be started here');
  });
});

describe('launcherMavenArgs', () => {
  it('builds the launcher against the engine version, for the Java it runs on, in one Maven run', () => {
    expect(launcherMavenArgs('elasticsearch', '8.19.0', '/cache/classpath.1.txt')).toEqual([
      '-q',
      '-B',
      'package',
      'dependency:build-classpath',
      '-Des.version=8.19.0',
      '-Dmaven.compiler.release=17',
      '-Dmaven.test.skip=true',
      '-Dmdep.outputFile=/cache/classpath.1.txt',
    ]);
    expect(launcherMavenArgs('elasticsearch', '9.1.0', 'cp.txt')).toEqual(expect.arrayContaining(['-Des.version=9.1.0', '-Dmaven.compiler.release=21']));
  });

  it('has nothing to build for the versions codelibs runners embed', () => {
    expect(launcherMavenArgs('elasticsearch', '7.10.2', 'cp.txt')).toBeUndefined();
    expect(launcherMavenArgs('opensearch', '3.3.2', 'cp.txt')).toBeUndefined();
  });
});

describe('isResolved', () => {
  const saved = { ...process.env };
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'estraces-unit-'));
    process.env.ESTRACES_CACHE_DIR = cache;
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(cache, { recursive: true, force: true });
  });

  function writeClasspath(dirName: string, jars: string[]): void {
    const dir = join(cache, 'engines', dirName);
    mkdirSync(dir, { recursive: true });
    for (const jar of jars) {
      writeFileSync(join(dir, jar), '');
    }
    writeFileSync(join(dir, 'classpath.txt'), jars.map((jar) => join(dir, jar)).join(delimiter));
  }

  it('is false before the first start, which resolves or builds', () => {
    expect(isResolved('elasticsearch', '7.10.2')).toBe(false);
    expect(isResolved('elasticsearch', '8.19.0')).toBe(false);
  });

  it('is true for a runner classpath whose jars all exist', () => {
    writeClasspath('elasticsearch-7.10.2.0', ['runner.jar', 'engine.jar']);
    expect(isResolved('elasticsearch', '7.10.2')).toBe(true);
  });

  it('is false for a launcher built from other sources than these, which must be built again', () => {
    writeClasspath('elasticsearch-8.19.0', ['launcher-0123456789abcdef.jar', 'elasticsearch-8.19.0.jar']);
    expect(isResolved('elasticsearch', '8.19.0')).toBe(false);
  });
});
