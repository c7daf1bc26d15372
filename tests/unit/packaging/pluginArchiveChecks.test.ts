/**
 * The catalog checks of tests/bundle/package.test.ts, each shown to fail on a small bad archive
 * built in memory (zipped and read back, as the real archive is), and to pass on a good one.
 */
import { Buffer } from 'node:buffer';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { readZip, zipArchive, type ZipEntry } from '../../../scripts/zip';
import {
  archiveLayoutProblems,
  changelogProblems,
  discoverabilityProblems,
  emptyFileProblems,
  grafanaDependencyProblems,
  idProblems,
  imageType,
  licenseProblems,
  logoProblems,
  moduleProblems,
  placeholderProblems,
  pluginJsonProblems,
  readmeProblems,
  schemaProblems,
  screenshotProblems,
  sourceMapProblems,
  svgProblems,
  topFolderNameProblems,
  type ArchiveView,
  type PluginMetadata,
  versionProblems,
  viewArchive,
} from '../../bundle/pluginArchiveChecks';

const root = path.resolve(__dirname, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/grafana/plugin.schema.json'), 'utf8')) as object;
const apacheLicense = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');

const ID = 'acme-trace-datasource';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32)]);
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>Acme</title><rect width="8" height="8" fill="#123"/></svg>';
const MODULE_SOURCE = "export const plugin = 'acme';\n";

const goodPluginJson = (): PluginMetadata & Record<string, unknown> => ({
  type: 'datasource',
  name: 'Acme Trace',
  id: ID,
  info: {
    description: 'Traces from Acme',
    keywords: ['tracing'],
    logos: { small: 'img/logo.svg', large: 'img/logo.svg' },
    screenshots: [{ name: 'Search', path: 'img/screenshots/search.png' }],
    links: [{ name: 'repository', url: 'https://example.com/acme' }],
    version: '1.2.3',
    updated: '2026-07-13',
  },
  dependencies: { grafanaDependency: '>=12.0.0' },
  buildMode: 'production',
});

const sourceMap = (sources: string[], sourcesContent: string[]) => JSON.stringify({ version: 3, sources, sourcesContent, mappings: '' });

const goodFiles = (): Record<string, string | Buffer> => ({
  'plugin.json': JSON.stringify(goodPluginJson()),
  'module.js': 'define([], function () {});',
  'module.js.map': sourceMap([`webpack://${ID}/./module.ts`, `webpack://${ID}/webpack/bootstrap`, `webpack://${ID}/external amd "react"`, `webpack://${ID}/./styles.css`], [MODULE_SOURCE, 'bootstrap', 'react', 'css']),
  'img/logo.svg': LOGO,
  'img/screenshots/search.png': PNG,
  'README.md': '# Acme Trace\n\nTraces from Acme. See the [documentation](https://example.com/acme/docs).\n',
  'CHANGELOG.md': '# Changelog\n\n## 1.2.3\n\n- First release\n',
  LICENSE: apacheLicense,
});

/** An archive of `files` under `top/` (or at the top with `top` ''), zipped and read back. */
function archive(files: Record<string, string | Buffer>, top: string = ID): ArchiveView {
  const at = new Date(2026, 6, 13);
  const entries: ZipEntry[] = top === '' ? [] : [{ path: `${top}/`, data: Buffer.alloc(0), modifiedAt: at }];
  for (const [file, content] of Object.entries(files)) {
    entries.push({ path: top === '' ? file : `${top}/${file}`, data: Buffer.from(content), modifiedAt: at });
  }
  return viewArchive(readZip(zipArchive(entries)));
}

let srcDir: string;
beforeAll(() => {
  srcDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estraces-src-'));
  fs.writeFileSync(path.join(srcDir, 'module.ts'), MODULE_SOURCE);
});
afterAll(() => fs.rmSync(srcDir, { recursive: true, force: true }));

describe('a well-formed plugin archive', () => {
  it('raises no problem in any check', () => {
    const view = archive(goodFiles());
    const pluginJson = goodPluginJson();
    expect([
      ...archiveLayoutProblems(view),
      ...topFolderNameProblems(view, pluginJson),
      ...pluginJsonProblems(view),
      ...schemaProblems(pluginJson, schema),
      ...moduleProblems(view),
      ...sourceMapProblems(view, ID, srcDir),
      ...logoProblems(view, pluginJson),
      ...screenshotProblems(view, pluginJson),
      ...readmeProblems(view),
      ...changelogProblems(view),
      ...licenseProblems(view),
      ...idProblems(pluginJson),
      ...versionProblems(pluginJson, '1.2.3'),
      ...grafanaDependencyProblems(pluginJson),
      ...discoverabilityProblems(pluginJson),
      ...svgProblems(view),
      ...placeholderProblems(view),
      ...emptyFileProblems(view),
    ]).toEqual([]);
  });
});

describe('archive layout (archive, archivename)', () => {
  it('finds an empty archive empty', () => {
    expect(archiveLayoutProblems(archive({}, ''))).toEqual(['the archive is empty']);
  });

  it('refuses dist content zipped without its folder', () => {
    expect(archiveLayoutProblems(archive({ 'plugin.json': '{}', 'module.js': '' }, ''))).toEqual([
      'the archive holds 2 items at its top level (plugin.json, module.js): it must hold one folder named for the plugin id',
    ]);
  });

  it('refuses a single file at the top', () => {
    expect(archiveLayoutProblems(archive({ 'plugin.json': '{}' }, ''))).toEqual([
      "the archive's only top-level item 'plugin.json' is a file: it must be a folder named for the plugin id",
    ]);
  });

  it('refuses the legacy layout with dist/ inside the top folder', () => {
    expect(archiveLayoutProblems(archive({ 'dist/plugin.json': '{}' }))).toEqual([`'${ID}/dist/' is inside the top folder: dist's content belongs directly in '${ID}/'`]);
  });

  it('refuses a top folder not named for the plugin id, dist above all', () => {
    const pluginJson = goodPluginJson();
    expect(topFolderNameProblems(archive(goodFiles(), 'dist'), pluginJson)).toEqual([`the top folder is named dist: it must be named ${ID}`]);
    expect(topFolderNameProblems(archive(goodFiles(), 'acme'), pluginJson)).toEqual([`the top folder is named 'acme': it must be named for the plugin id '${ID}'`]);
  });
});

describe('plugin.json (metadata, nestedmetadata, metadatavalid)', () => {
  it('finds plugin.json missing, unparsable or nested', () => {
    const { 'plugin.json': _dropped, ...withoutPluginJson } = goodFiles();
    expect(pluginJsonProblems(archive(withoutPluginJson))).toEqual(['plugin.json is missing from the top folder']);
    expect(pluginJsonProblems(archive({ ...goodFiles(), 'plugin.json': '{"id": ' }))).toEqual(['plugin.json does not parse: Unexpected end of JSON input']);
    expect(pluginJsonProblems(archive({ ...goodFiles(), 'nested/plugin.json': '{}' }))).toEqual(['nested plugin.json files (nested/plugin.json): only app plugins may hold nested plugins']);
  });

  it('reports where plugin.json leaves the schema: an id without the type, a field the schema lacks, no keywords, a link that is no URI', () => {
    const pluginJson = goodPluginJson();
    const bad = { ...pluginJson, id: 'acme_trace', alerts: true, info: { ...pluginJson.info, keywords: [], links: [{ name: 'repository', url: 'example.com/acme' }] } };
    expect(schemaProblems(bad, schema).sort()).toEqual(
      [
        "plugin.json: must NOT have additional properties ('alerts')",
        'plugin.json/id: must match pattern "^[0-9a-z]+\\-([0-9a-z]+\\-)?(app|panel|datasource)$"',
        'plugin.json/info/keywords: must NOT have fewer than 1 items',
        'plugin.json/info/links/0/url: must match format "uri"',
      ].sort()
    );
  });
});

describe('module and source map (modulejs, jsMap)', () => {
  it('finds module.js missing', () => {
    const { 'module.js': _dropped, ...files } = goodFiles();
    expect(moduleProblems(archive(files))).toEqual(['module.js is missing from the top folder']);
  });

  it('finds the source map missing, or without the sources content', () => {
    const { 'module.js.map': _dropped, ...files } = goodFiles();
    expect(sourceMapProblems(archive(files), ID, srcDir)).toEqual(['module.js.map is missing: the catalog needs the source map of every module.js']);
    const noContent = JSON.stringify({ version: 3, sources: [`webpack://${ID}/./module.ts`], mappings: '' });
    expect(sourceMapProblems(archive({ ...goodFiles(), 'module.js.map': noContent }), ID, srcDir)).toEqual([
      'module.js.map must list its sources with their content (sources: 1, sourcesContent: 0)',
    ]);
  });

  it('finds a source that differs from src/, or that src/ does not have', () => {
    const map = sourceMap([`webpack://${ID}/./module.ts`, `webpack://${ID}/./gone.ts`], ["export const plugin = 'older';\n", 'x']);
    expect(sourceMapProblems(archive({ ...goodFiles(), 'module.js.map': map }), ID, srcDir)).toEqual([
      'module.js.map holds a ./module.ts that differs from src/module.ts',
      'module.js.map holds ./gone.ts, which is not in src/',
    ]);
  });
});

describe('logos and screenshots (logos, screenshots, metadatapaths)', () => {
  const withInfo = (info: Partial<NonNullable<PluginMetadata['info']>>): PluginMetadata => ({ ...goodPluginJson(), info: { ...goodPluginJson().info, ...info } });

  it('finds a logo not named, absolute, starting with ./ or not shipped', () => {
    const view = archive(goodFiles());
    expect(logoProblems(view, withInfo({ logos: { small: '', large: 'https://example.com/logo.svg' } }))).toEqual([
      'plugin.json: the small logo is not named',
      'plugin.json: the large logo path https://example.com/logo.svg is absolute: it must be relative to plugin.json',
    ]);
    expect(logoProblems(view, withInfo({ logos: { small: './img/logo.svg', large: 'img/large.svg' } }))).toEqual([
      "plugin.json: the small logo path ./img/logo.svg starts with '.' or '/': write it as img/file.png",
      'plugin.json: the large logo img/large.svg is not in the archive',
    ]);
  });

  it('finds no screenshots, a missing one, one that is no image, and one whose name says another type', () => {
    const view = archive({ ...goodFiles(), 'img/notes.png': 'not an image', 'img/photo.png': JPEG });
    expect(screenshotProblems(view, withInfo({ screenshots: [] }))).toEqual(['plugin.json names no screenshots: the catalog shows them on the plugin page']);
    expect(
      screenshotProblems(
        view,
        withInfo({
          screenshots: [
            { name: 'Gone', path: 'img/gone.png' },
            { name: 'Notes', path: 'img/notes.png' },
            { name: 'Photo', path: 'img/photo.png' },
            { name: 'Nothing', path: ' ' },
          ],
        })
      )
    ).toEqual([
      'plugin.json: the screenshot img/gone.png is not in the archive',
      'the screenshot img/notes.png is not a PNG, JPEG, GIF or SVG image',
      'the screenshot img/photo.png is image/jpeg but its name says image/png',
      "plugin.json: the screenshot 'Nothing' has no path",
    ]);
  });

  it('tells PNG, JPEG, GIF and SVG images by their first bytes', () => {
    expect([PNG, JPEG, Buffer.from('GIF89a...'), Buffer.from(`<?xml version="1.0"?>\n${LOGO}`), Buffer.from('text')].map(imageType)).toEqual([
      'image/png',
      'image/jpeg',
      'image/gif',
      'image/svg+xml',
      undefined,
    ]);
  });
});

describe('README, CHANGELOG and LICENSE (readme, templatereadme, brokenlinks, jargon, changelog, license)', () => {
  it("finds create-plugin's template README, relative links, comments and jargon", () => {
    const readme = '# Grafana Data Source Plugin Template\n\nSee [setup](docs/setup.md) and [below](#usage).\n<!-- to do -->\nRun yarn.\n';
    expect(readmeProblems(archive({ ...goodFiles(), 'README.md': readme }))).toEqual([
      "README.md is create-plugin's template README",
      'README.md links to docs/setup.md, a relative link: the catalog needs absolute (https://) links',
      'README.md holds an HTML comment',
      'README.md uses developer jargon (yarn)',
    ]);
    expect(readmeProblems(archive({ ...goodFiles(), 'README.md': ' \n' }))).toEqual(['README.md is empty']);
  });

  it('finds CHANGELOG.md missing or empty', () => {
    const { 'CHANGELOG.md': _dropped, ...files } = goodFiles();
    expect(changelogProblems(archive(files))).toEqual(['CHANGELOG.md is missing']);
    expect(changelogProblems(archive({ ...goodFiles(), 'CHANGELOG.md': '\n' }))).toEqual(['CHANGELOG.md is empty']);
  });

  it("finds the Apache appendix's template fields left in, and another licence", () => {
    const template = apacheLicense.replace('Copyright 2026 ES Traces', 'Copyright {yyyy} {name of copyright owner}');
    expect(licenseProblems(archive({ ...goodFiles(), LICENSE: template }))).toEqual(["LICENSE still holds the template's {yyyy} and {name of copyright owner}"]);
    expect(licenseProblems(archive({ ...goodFiles(), LICENSE: 'MIT License\n\nCopyright (c) 2026 Acme\n' }))).toEqual(['LICENSE is not the Apache License 2.0 text']);
  });
});

describe('plugin.json fields (typesuffix, pluginname, version, packagejson, grafanadependency, restrictivedep, discoverability)', () => {
  it('finds an id without its type, without org-name-type parts, or used as the name', () => {
    expect(idProblems({ ...goodPluginJson(), id: 'acme-trace-panel' })).toEqual(["the plugin id 'acme-trace-panel' must end with its type: '-datasource'"]);
    expect(idProblems({ ...goodPluginJson(), id: 'trace-datasource', name: 'trace-datasource' })).toEqual([
      "the plugin id 'trace-datasource' must have the form org-name-type",
      'the plugin name must be a human-friendly name, not the id',
    ]);
  });

  it("finds the version unfilled or other than package.json's, and the build date unfilled", () => {
    const info = goodPluginJson().info;
    expect(versionProblems({ ...goodPluginJson(), info: { ...info, version: '%VERSION%', updated: '%TODAY%' } }, '1.2.3')).toEqual([
      "plugin.json: info.version '%VERSION%' is not a semantic version",
      "plugin.json: info.updated '%TODAY%' is not a YYYY-MM-DD date",
    ]);
    expect(versionProblems(goodPluginJson(), '1.2.4')).toEqual(["plugin.json: info.version 1.2.3 differs from package.json's 1.2.4"]);
  });

  it('finds grafanaDependency missing, unparsable, or pinned to one release or one minor version', () => {
    const withRange = (grafanaDependency?: string): PluginMetadata => ({ ...goodPluginJson(), dependencies: { grafanaDependency } });
    expect([undefined, 'latest', '10.4.x', '10.4.1'].map((range) => grafanaDependencyProblems(withRange(range)))).toEqual([
      ['plugin.json: dependencies.grafanaDependency is missing'],
      ["plugin.json: dependencies.grafanaDependency 'latest' is not a version range"],
      ["plugin.json: dependencies.grafanaDependency '10.4.x' only takes the patch releases of one Grafana version"],
      ["plugin.json: dependencies.grafanaDependency '10.4.1' only takes Grafana 10.4.1"],
    ]);
    expect(['>=10.4.0', '^11.0.0 || >=12.1.0', '>=10.0.0 <13.0.0'].map((range) => grafanaDependencyProblems(withRange(range)))).toEqual([[], [], []]);
  });

  it('finds the description or the keywords empty', () => {
    expect(discoverabilityProblems({ ...goodPluginJson(), info: { ...goodPluginJson().info, description: '', keywords: [] } })).toEqual([
      'plugin.json: info.description is empty',
      'plugin.json: info.keywords is empty',
    ]);
  });
});

describe('sizes', () => {
  it('finds an empty file, and only that one', () => {
    expect(emptyFileProblems(archive({ ...goodFiles(), 'img/screenshots/search.png': '' }))).toEqual(['img/screenshots/search.png is empty']);
  });
});

describe('SVG images and placeholders (unsafesvg)', () => {
  it('finds a script element and an event handler attribute in an SVG', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect onload="alert(2)" width="1"/><!-- <iframe> --></svg>';
    expect(svgProblems(archive({ ...goodFiles(), 'img/bad.svg': svg }))).toEqual([
      "img/bad.svg: <script> is not allowed in a plugin's SVG",
      "img/bad.svg: the event handler attribute onload is not allowed in a plugin's SVG",
    ]);
  });

  it('finds a placeholder the build should have filled', () => {
    expect(placeholderProblems(archive({ ...goodFiles(), 'README.md': 'Version %VERSION% of %PLUGIN_ID%\n' }))).toEqual(['README.md still holds %VERSION%, %PLUGIN_ID%']);
  });
});
