/**
 * What Grafana's plugin validator (github.com/grafana/plugin-validator, pkg/analysis/passes) checks
 * in a plugin archive, for the analyzers that need no network: each function below names the
 * analyzer it follows and returns the problems it finds, in words, empty when there are none.
 * The validator's warnings are treated as errors here (a catalog entry should raise none), and
 * where an analyzer needs grafana.com or the source repository online (org, published, version
 * against the last release, broken links, signature, Angular patterns) it is left out.
 *
 * The archive is looked at as the validator sees it once unzipped: the names at its top level, and
 * the files of its one top folder by their path inside that folder.
 */
import { Buffer } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';

import Ajv from 'ajv';

import type { ReadEntry } from '../../scripts/zip';

export interface ArchiveView {
  /** The distinct first path segments, as `ls` of the unzipped archive would list them. */
  topLevel: string[];
  /** The top folder when the archive holds exactly one item and it is a folder. */
  root?: string;
  /** Files under `root`, by path relative to it. */
  files: Map<string, Buffer>;
}

/** The plugin.json fields the checks read (the validator's metadata.Metadata); all may be absent. */
export interface PluginMetadata {
  id?: string;
  name?: string;
  type?: string;
  info?: {
    description?: string;
    keywords?: string[];
    version?: string;
    updated?: string;
    logos?: { small?: string; large?: string };
    screenshots?: Array<{ name?: string; path?: string }>;
    links?: Array<{ name?: string; url?: string }>;
  };
  dependencies?: { grafanaDependency?: string };
}

export function viewArchive(entries: ReadEntry[]): ArchiveView {
  const topLevel = [...new Set(entries.map((entry) => entry.path.split('/')[0]))];
  const isFolder = (name: string) => entries.some((entry) => entry.path.startsWith(`${name}/`));
  const root = topLevel.length === 1 && isFolder(topLevel[0]) ? topLevel[0] : undefined;
  const files = new Map<string, Buffer>();
  for (const entry of entries) {
    if (root !== undefined && !entry.folder && entry.path.startsWith(`${root}/`)) {
      files.set(entry.path.slice(root.length + 1), entry.data);
    }
  }
  return { topLevel, root, files };
}

/** archive: one folder at the top, and no legacy dist/ inside it. */
export function archiveLayoutProblems(view: ArchiveView): string[] {
  if (view.topLevel.length === 0) {
    return ['the archive is empty'];
  }
  if (view.topLevel.length > 1) {
    return [`the archive holds ${view.topLevel.length} items at its top level (${view.topLevel.join(', ')}): it must hold one folder named for the plugin id`];
  }
  if (view.root === undefined) {
    return [`the archive's only top-level item '${view.topLevel[0]}' is a file: it must be a folder named for the plugin id`];
  }
  const legacyDist = [...view.files.keys()].some((file) => file.startsWith('dist/'));
  return legacyDist ? [`'${view.root}/dist/' is inside the top folder: dist's content belongs directly in '${view.root}/'`] : [];
}

/** metadata and nestedmetadata/includesnested: one plugin.json, at the top of the folder, that parses. */
export function pluginJsonProblems(view: ArchiveView): string[] {
  const problems: string[] = [];
  const text = view.files.get('plugin.json');
  if (text === undefined) {
    problems.push('plugin.json is missing from the top folder');
  } else {
    try {
      JSON.parse(text.toString('utf8'));
    } catch (error) {
      problems.push(`plugin.json does not parse: ${(error as Error).message}`);
    }
  }
  const nested = [...view.files.keys()].filter((file) => file.endsWith('/plugin.json'));
  if (nested.length > 0) {
    problems.push(`nested plugin.json files (${nested.join(', ')}): only app plugins may hold nested plugins`);
  }
  return problems;
}

/** plugin.json as the checks below read it; call after pluginJsonProblems says it parses. */
export function readPluginJson(view: ArchiveView): PluginMetadata {
  const text = view.files.get('plugin.json');
  if (text === undefined) {
    throw new Error('plugin.json is missing from the archive');
  }
  return JSON.parse(text.toString('utf8')) as PluginMetadata;
}

/** archivename: the top folder carries the plugin id. */
export function topFolderNameProblems(view: ArchiveView, pluginJson: PluginMetadata): string[] {
  if (view.root === 'dist') {
    return [`the top folder is named dist: it must be named ${pluginJson.id}`];
  }
  return view.root === pluginJson.id ? [] : [`the top folder is named '${view.root}': it must be named for the plugin id '${pluginJson.id}'`];
}

/**
 * metadatavalid: plugin.json against Grafana's plugin.json schema (JSON Schema draft-07, which is
 * what ajv's default class implements). The schema's patterns escape '-' as `\-`, which Go's
 * regexp accepts and JavaScript's unicode mode does not: patterns run without the u flag. Its
 * `additionalItems` beside a single `items` schema is legal draft-07 that ajv's strict mode
 * objects to, so strict mode is off for the schema itself. Formats are checked as gojsonschema
 * (the validator's library) checks them: a URI has a scheme and no backslash.
 */
export function schemaProblems(pluginJson: unknown, schema: object): string[] {
  const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, strictSchema: false, strictTypes: false });
  ajv.addFormat('uri', (value: string) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value) && !value.includes('\\'));
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  const validate = ajv.compile(schema);
  if (validate(pluginJson)) {
    return [];
  }
  return (validate.errors ?? []).map((error) => {
    const extra = 'additionalProperty' in error.params ? ` ('${error.params.additionalProperty}')` : '';
    return `plugin.json${error.instancePath || ''}: ${error.message}${extra}`;
  });
}

/** modulejs: the module Grafana loads. */
export function moduleProblems(view: ArchiveView): string[] {
  return view.files.has('module.js') ? [] : ['module.js is missing from the top folder'];
}

/** Source map entries the validator skips: webpack's runtime, externals, packages, styles, images, JSON. */
function isComparedSource(source: string): boolean {
  const name = source.split('?')[0];
  if (name.includes('/node_modules/.pnpm/') || ['.css', '.scss', '.sass', '.less', '.svg', '.json'].some((ext) => name.endsWith(ext))) {
    return false;
  }
  return !['external ', 'webpack/', '../node_modules', './node_modules/'].some((start) => name.length > start.length && name.startsWith(start));
}

/**
 * jsMap: every module.js has its module.js.map, the map carries the original sources, and each
 * of our sources in it is byte for byte the file under `srcDir` (line endings aside), which is how
 * the validator ties an archive to the repository it names.
 */
export function sourceMapProblems(view: ArchiveView, pluginId: string, srcDir: string): string[] {
  const problems: string[] = [];
  for (const file of [...view.files.keys()].filter((name) => name === 'module.js' || name.endsWith('/module.js'))) {
    const mapText = view.files.get(`${file}.map`);
    if (mapText === undefined) {
      problems.push(`${file}.map is missing: the catalog needs the source map of every module.js`);
      continue;
    }
    let map: { sources?: string[]; sourcesContent?: string[] };
    try {
      map = JSON.parse(mapText.toString('utf8'));
    } catch (error) {
      problems.push(`${file}.map does not parse: ${(error as Error).message}`);
      continue;
    }
    const sources = map.sources ?? [];
    const contents = map.sourcesContent ?? [];
    if (sources.length === 0 || contents.length !== sources.length) {
      problems.push(`${file}.map must list its sources with their content (sources: ${sources.length}, sourcesContent: ${contents.length})`);
      continue;
    }
    const prefix = new RegExp(`^webpack://${pluginId}/*|^webpack:/*`);
    sources.forEach((source, i) => {
      const name = source.replace(prefix, '');
      if (!isComparedSource(name)) {
        return;
      }
      const original = path.join(srcDir, name);
      if (!fs.existsSync(original)) {
        problems.push(`${file}.map holds ${name}, which is not in src/`);
      } else if (fs.readFileSync(original, 'utf8').replace(/\r\n/g, '\n') !== contents[i].replace(/\r\n/g, '\n')) {
        problems.push(`${file}.map holds a ${name} that differs from src/${name.replace(/^\.\//, '')}`);
      }
    });
  }
  return problems;
}

/** metadatapaths: a path in plugin.json is relative, without a leading '.' or '/', and in the archive. */
function metadataPathProblems(kind: string, file: string, view: ArchiveView): string[] {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(file)) {
    return [`plugin.json: the ${kind} path ${file} is absolute: it must be relative to plugin.json`];
  }
  if (file.startsWith('.') || file.startsWith('/')) {
    return [`plugin.json: the ${kind} path ${file} starts with '.' or '/': write it as img/file.png`];
  }
  return view.files.has(file) ? [] : [`plugin.json: the ${kind} ${file} is not in the archive`];
}

/** logos and metadatapaths: both logos named, and present. */
export function logoProblems(view: ArchiveView, pluginJson: PluginMetadata): string[] {
  const logos = pluginJson.info?.logos ?? {};
  return (['small', 'large'] as const).flatMap((size) => {
    const file = logos[size]?.trim() ?? '';
    return file === '' ? [`plugin.json: the ${size} logo is not named`] : metadataPathProblems(`${size} logo`, file, view);
  });
}

const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };

/** The image type of `data` by its first bytes, as Go's http.DetectContentType tells the ones the catalog takes. */
export function imageType(data: Buffer): string | undefined {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (data.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) {
    return 'image/jpeg';
  }
  const head = data.subarray(0, 512).toString('latin1');
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) {
    return 'image/gif';
  }
  return head.includes('<svg') ? 'image/svg+xml' : undefined;
}

/** screenshots and metadatapaths: at least one, each present and an image of the type its name says. */
export function screenshotProblems(view: ArchiveView, pluginJson: PluginMetadata): string[] {
  const screenshots = pluginJson.info?.screenshots ?? [];
  if (screenshots.length === 0) {
    return ['plugin.json names no screenshots: the catalog shows them on the plugin page'];
  }
  return screenshots.flatMap(({ name, path: file = '' }) => {
    if (file.trim() === '') {
      return [`plugin.json: the screenshot '${name}' has no path`];
    }
    const pathProblems = metadataPathProblems('screenshot', file, view);
    if (pathProblems.length > 0) {
      return pathProblems;
    }
    const found = imageType(view.files.get(file) as Buffer);
    const expected = IMAGE_TYPES[path.extname(file).toLowerCase()];
    if (found === undefined) {
      return [`the screenshot ${file} is not a PNG, JPEG, GIF or SVG image`];
    }
    return found === expected ? [] : [`the screenshot ${file} is ${found} but its name says ${expected ?? 'another type'}`];
  });
}

/**
 * readme, templatereadme, brokenlinks (its offline rule), jargon: README.md is there, is not
 * create-plugin's template, and links only to absolute URLs (the catalog shows it away from the
 * repository, where a relative link leads nowhere). No HTML comments, no developer jargon.
 */
export function readmeProblems(view: ArchiveView): string[] {
  const text = view.files.get('README.md')?.toString('utf8');
  if (text === undefined || text.trim() === '') {
    return [text === undefined ? 'README.md is missing' : 'README.md is empty'];
  }
  const problems: string[] = [];
  if (/Grafana (Panel|Data Source|Datasource|App|Data Source Backend) Plugin Template/i.test(text)) {
    problems.push("README.md is create-plugin's template README");
  }
  for (const match of text.matchAll(/\[.+?\]\((.+?)\)/g)) {
    const target = match[1].split(/\s+/)[0];
    if (!/^(#|mailto:|https?:\/\/)/.test(target)) {
      problems.push(`README.md links to ${target}, a relative link: the catalog needs absolute (https://) links`);
    }
  }
  if (/<!--(.*?)-->/.test(text)) {
    problems.push('README.md holds an HTML comment');
  }
  const jargon = ['yarn', 'nodejs'].filter((word) => text.includes(word));
  if (jargon.length > 0) {
    problems.push(`README.md uses developer jargon (${jargon.join(', ')})`);
  }
  return problems;
}

/** changelog: CHANGELOG.md is there and says something. */
export function changelogProblems(view: ArchiveView): string[] {
  const text = view.files.get('CHANGELOG.md')?.toString('utf8');
  if (text === undefined) {
    return ['CHANGELOG.md is missing'];
  }
  return text.trim() === '' ? ['CHANGELOG.md is empty'] : [];
}

/**
 * license: a LICENSE whose licence the catalog accepts, with the template fields of the licence's
 * appendix filled in. The validator recognises licences with go-license-detector; here the
 * Apache License 2.0 (this project's) is recognised by its title and its terms' last line.
 */
export function licenseProblems(view: ArchiveView): string[] {
  const text = view.files.get('LICENSE')?.toString('utf8');
  if (text === undefined) {
    return ['LICENSE is missing'];
  }
  const problems: string[] = [];
  const normalised = text.replace(/\s+/g, ' ');
  if (!normalised.includes('Apache License Version 2.0, January 2004') || !normalised.includes('END OF TERMS AND CONDITIONS')) {
    problems.push('LICENSE is not the Apache License 2.0 text');
  }
  const placeholders = ['{yyyy}', '{name of copyright owner}'].filter((field) => text.includes(field));
  if (placeholders.length > 0) {
    problems.push(`LICENSE still holds the template's ${placeholders.join(' and ')}`);
  }
  return problems;
}

/** typesuffix and pluginname: the id ends with the type, has org-name-type parts, and is not the display name. */
export function idProblems(pluginJson: PluginMetadata): string[] {
  const id = pluginJson.id ?? '';
  const parts = id.split('-');
  const problems: string[] = [];
  if (pluginJson.type && parts[parts.length - 1] !== pluginJson.type) {
    problems.push(`the plugin id '${id}' must end with its type: '-${pluginJson.type}'`);
  }
  if (parts.length < 3) {
    problems.push(`the plugin id '${id}' must have the form org-name-type`);
  }
  if (id !== '' && pluginJson.name === id) {
    problems.push('the plugin name must be a human-friendly name, not the id');
  }
  return problems;
}

/** semver.org's own pattern for a version. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** version and packagejson: a semantic version, the one package.json has; and the build date. */
export function versionProblems(pluginJson: PluginMetadata, packageVersion: string): string[] {
  const version = pluginJson.info?.version ?? '';
  const problems: string[] = [];
  if (!SEMVER.test(version)) {
    problems.push(`plugin.json: info.version '${version}' is not a semantic version`);
  } else if (version !== packageVersion) {
    problems.push(`plugin.json: info.version ${version} differs from package.json's ${packageVersion}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(pluginJson.info?.updated ?? '')) {
    problems.push(`plugin.json: info.updated '${pluginJson.info?.updated}' is not a YYYY-MM-DD date`);
  }
  return problems;
}

/** One comparator of a version range: an operator and a version whose minor and patch may be x or *. */
const COMPARATOR = /^(<=|>=|<|>|=|~|\^)?v?\d+(\.(\d+|x|\*)){0,2}(-[0-9A-Za-z.-]+)?$/;

/**
 * grafanadependency and restrictivedep: a Grafana version range that parses, and that is not
 * pinned to one release or to the patch releases of one minor version.
 */
export function grafanaDependencyProblems(pluginJson: PluginMetadata): string[] {
  const range = (pluginJson.dependencies?.grafanaDependency ?? '').trim();
  if (range === '') {
    return ['plugin.json: dependencies.grafanaDependency is missing'];
  }
  const comparators = range.split('||').flatMap((set) => set.trim().split(/\s+/));
  if (!comparators.every((comparator) => COMPARATOR.test(comparator))) {
    return [`plugin.json: dependencies.grafanaDependency '${range}' is not a version range`];
  }
  if (/^\d+\.\d+\.x$/.test(range)) {
    return [`plugin.json: dependencies.grafanaDependency '${range}' only takes the patch releases of one Grafana version`];
  }
  return /^\d+\.\d+\.\d+$/.test(range) ? [`plugin.json: dependencies.grafanaDependency '${range}' only takes Grafana ${range}`] : [];
}

/** discoverability: the catalog's search reads the description and the keywords. */
export function discoverabilityProblems(pluginJson: PluginMetadata): string[] {
  const problems: string[] = [];
  if (!pluginJson.info?.description) {
    problems.push('plugin.json: info.description is empty');
  }
  if (!pluginJson.info?.keywords?.length) {
    problems.push('plugin.json: info.keywords is empty');
  }
  return problems;
}

/** Elements the validator's svgvalidate refuses in an SVG (script, embedded documents, MathML). */
const FORBIDDEN_SVG_ELEMENTS = new Set(['annotation-xml', 'audio', 'colgroup', 'iframe', 'math', 'mi', 'mn', 'mo', 'ms', 'mtext', 'noembed', 'noframes', 'noscript', 'plaintext', 'script', 'template', 'thead', 'xmp']);

/** unsafesvg: no SVG in the archive holds a forbidden element or an event handler attribute (on...). */
export function svgProblems(view: ArchiveView): string[] {
  const problems: string[] = [];
  for (const [file, data] of view.files) {
    if (!file.endsWith('.svg')) {
      continue;
    }
    const text = data.toString('utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const tag of text.matchAll(/<\/?([A-Za-z_][\w.:-]*)([^>]*)>/g)) {
      const element = tag[1].split(':').pop() as string;
      if (FORBIDDEN_SVG_ELEMENTS.has(element)) {
        problems.push(`${file}: <${tag[1]}> is not allowed in a plugin's SVG`);
      }
      for (const attribute of tag[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=/g)) {
        if (attribute[1].split(':').pop()?.toLowerCase().startsWith('on')) {
          problems.push(`${file}: the event handler attribute ${attribute[1]} is not allowed in a plugin's SVG`);
        }
      }
    }
  }
  // An element is found at its start and at its end tag: say it once.
  return [...new Set(problems)];
}

/**
 * Sizes: the validator sets no limit of its own, but an empty file in the archive is a build gone
 * wrong (an image that shows nothing, a module Grafana cannot load), so every file has content.
 * That each entry's size and CRC-32 match its header is checked where the archive is read.
 */
export function emptyFileProblems(view: ArchiveView): string[] {
  return [...view.files].filter(([, data]) => data.length === 0).map(([file]) => `${file} is empty`);
}

/** The build's replacements (create-plugin's webpack config) must have filled every placeholder. */
export function placeholderProblems(view: ArchiveView): string[] {
  const placeholders = ['%VERSION%', '%TODAY%', '%PLUGIN_ID%', '{yyyy}', '{name of copyright owner}'];
  const problems: string[] = [];
  for (const file of ['plugin.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    const text = view.files.get(file)?.toString('utf8') ?? '';
    const left = placeholders.filter((placeholder) => text.includes(placeholder));
    if (left.length > 0) {
      problems.push(`${file} still holds ${left.join(', ')}`);
    }
  }
  return problems;
}
