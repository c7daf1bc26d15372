/**
 * The packaging script on a small dist/ of its own: what it names the archive, what it puts in,
 * and what it says when dist/ is not a production build.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { packagePlugin } from '../../../scripts/pluginArchive';
import { readZip } from '../../../scripts/zip';

let work: string;
let dist: string;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'estraces-pluginArchive-'));
  dist = path.join(work, 'dist');
  fs.mkdirSync(path.join(dist, 'img'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'module.js'), 'define([], function () {});');
  fs.writeFileSync(path.join(dist, 'img', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const writePluginJson = (pluginJson: object) => fs.writeFileSync(path.join(dist, 'plugin.json'), JSON.stringify(pluginJson));

describe('packagePlugin', () => {
  it('writes <id>-<version>.zip holding dist/ under a folder named for the id, folders first and names sorted', () => {
    writePluginJson({ id: 'acme-trace-datasource', info: { version: '1.2.3' } });

    const packaged = packagePlugin(dist, work);

    expect(packaged.file).toBe(path.join(work, 'acme-trace-datasource-1.2.3.zip'));
    const entries = readZip(fs.readFileSync(packaged.file));
    expect(entries.map((entry) => entry.path)).toEqual([
      'acme-trace-datasource/',
      'acme-trace-datasource/img/',
      'acme-trace-datasource/img/logo.svg',
      'acme-trace-datasource/module.js',
      'acme-trace-datasource/plugin.json',
    ]);
    expect(packaged.entries).toBe(5);
    expect(packaged.bytes).toBe(fs.statSync(packaged.file).size);
  });

  it('says to build first when dist/ has no plugin.json', () => {
    expect(() => packagePlugin(dist, work)).toThrow(`${path.join(dist, 'plugin.json')} not found: run \`npm run build\` first`);
  });

  it('refuses a plugin.json whose version the build has not filled in', () => {
    writePluginJson({ id: 'acme-trace-datasource', info: { version: '%VERSION%' } });
    expect(() => packagePlugin(dist, work)).toThrow(
      `${path.join(dist, 'plugin.json')} has no plugin id or no built version (info.version is "%VERSION%"): run \`npm run build\``
    );
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });
});
