/**
 * The archive `npm run package` makes from the production build, checked the way Grafana's plugin
 * validator checks a catalog submission, for every analyzer that needs no network (see
 * pluginArchiveChecks.ts). Runs after `npm run build`; the archive goes to a temporary folder.
 * Python's zipfile, a reader none of this project's code is in, is the witness that the archive is
 * a well-formed ZIP holding exactly dist/.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { readZip } from '../../scripts/zip';
import {
  archiveLayoutProblems,
  changelogProblems,
  discoverabilityProblems,
  emptyFileProblems,
  grafanaDependencyProblems,
  idProblems,
  licenseProblems,
  logoProblems,
  moduleProblems,
  placeholderProblems,
  pluginJsonProblems,
  readmeProblems,
  readPluginJson,
  schemaProblems,
  screenshotProblems,
  sourceMapProblems,
  svgProblems,
  topFolderNameProblems,
  type ArchiveView,
  type PluginMetadata,
  versionProblems,
  viewArchive,
} from './pluginArchiveChecks';

const root = path.resolve(__dirname, '../..');
const dist = path.join(root, 'dist');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const sourcePluginJson = JSON.parse(fs.readFileSync(path.join(root, 'plugin.json'), 'utf8')) as PluginMetadata & Record<string, unknown>;
const schema = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/grafana/plugin.schema.json'), 'utf8')) as object;

let outDir: string;
let printed: string;
let archiveFile: string;
let archiveBytes: Buffer;
let view: ArchiveView;
let pluginJson: PluginMetadata;

/** An entry as Python's zipfile lists it: the Unix mode, the UTF-8 name flag and the content's SHA-1. */
interface PythonEntry {
  name: string;
  madeOnUnix: boolean;
  mode: string;
  utf8: boolean;
  size: number;
  sha1: string;
}

/** Every entry of `file` as Python's zipfile reads it, after its testzip() found every CRC-32 right. */
function readWithPython(file: string): PythonEntry[] {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive:
    damaged = archive.testzip()
    if damaged:
        sys.exit(f"{damaged}: CRC-32 or size does not match its content")
    print(json.dumps([{"name": info.filename, "madeOnUnix": info.create_system == 3,
        "mode": oct(info.external_attr >> 16), "utf8": bool(info.flag_bits & 0x800),
        "size": info.file_size, "sha1": hashlib.sha1(archive.read(info)).hexdigest()}
        for info in archive.infolist()]))
`;
  try {
    return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as PythonEntry[];
  } catch (error) {
    const reason = (error as { code?: string; stderr?: string }).code === 'ENOENT' ? 'python3 is not on the PATH' : (error as { stderr?: string }).stderr;
    throw new Error(`Python's zipfile could not read ${file}: ${reason}`);
  }
}

/** The entries dist/ should give under `top/`, from a walk of dist/ done here, not by the code under test. */
function expectedEntries(dir: string, top: string): PythonEntry[] {
  const folder: PythonEntry = { name: `${top}/`, madeOnUnix: true, mode: '0o40755', utf8: true, size: 0, sha1: createHash('sha1').digest('hex') };
  return [
    folder,
    ...fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        return expectedEntries(full, `${top}/${entry.name}`);
      }
      const data = fs.readFileSync(full);
      return [{ name: `${top}/${entry.name}`, madeOnUnix: true, mode: '0o100644', utf8: true, size: data.length, sha1: createHash('sha1').update(data).digest('hex') }];
    }),
  ];
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'estraces-package-'));
  printed = execFileSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/package.ts'), outDir], { cwd: root, encoding: 'utf8' });
  archiveFile = path.join(outDir, `${sourcePluginJson.id}-${packageJson.version}.zip`);
  archiveBytes = fs.readFileSync(archiveFile);
  view = viewArchive(readZip(archiveBytes));
  pluginJson = readPluginJson(view);
});

afterAll(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('npm run package', () => {
  it('writes <plugin id>-<version>.zip and prints its size, entry count, SHA-1 and MD5', () => {
    const sha1 = createHash('sha1').update(archiveBytes).digest('hex');
    const md5 = createHash('md5').update(archiveBytes).digest('hex');
    const entries = expectedEntries(dist, sourcePluginJson.id as string).length;
    expect(printed).toBe(`${archiveFile}: ${archiveBytes.length} bytes, ${entries} entries\nSHA-1 ${sha1}\nMD5   ${md5}\n`);
  });

  it("holds exactly dist/'s files, byte for byte, and its folders, with Unix modes and UTF-8 names, as Python's zipfile reads it", () => {
    expect(readWithPython(archiveFile).sort(byName)).toEqual(expectedEntries(dist, 'estraces-otel-datasource').sort(byName));
    expect([...view.files.keys()]).toEqual(expect.arrayContaining(['module.js', 'module.js.map', 'plugin.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'img/logo.svg']));
  });

  it('ships the repository plugin.json with only the version, the build date and the build mode filled in', () => {
    const { info, ...rest } = sourcePluginJson;
    expect(pluginJson).toEqual({ ...rest, info: { ...info, version: packageJson.version, updated: pluginJson.info?.updated }, buildMode: 'production' });
  });
});

describe('the plugin archive, as the catalog validator checks it', () => {
  it('has one top folder named for the plugin id (archive, archivename)', () => {
    expect(archiveLayoutProblems(view)).toEqual([]);
    expect(topFolderNameProblems(view, pluginJson)).toEqual([]);
    expect(view.root).toBe('estraces-otel-datasource');
  });

  it('has one plugin.json, at the top of the folder, that parses (metadata, nestedmetadata)', () => {
    expect(pluginJsonProblems(view)).toEqual([]);
  });

  it("has a plugin.json that follows Grafana's plugin.json schema (metadatavalid)", () => {
    expect(schemaProblems(pluginJson, schema)).toEqual([]);
  });

  it('has module.js (modulejs)', () => {
    expect(moduleProblems(view)).toEqual([]);
  });

  it('has the source map of module.js, whose sources are the files in src/ (jsMap)', () => {
    expect(sourceMapProblems(view, pluginJson.id as string, path.join(root, 'src'))).toEqual([]);
  });

  it('names a small and a large logo and ships them (logos, metadatapaths)', () => {
    expect(logoProblems(view, pluginJson)).toEqual([]);
  });

  it('ships every screenshot plugin.json names, each an image of the type its name says (screenshots, metadatapaths)', () => {
    expect(screenshotProblems(view, pluginJson)).toEqual([]);
  });

  it("has a README of its own with absolute links only (readme, templatereadme, brokenlinks, jargon)", () => {
    expect(readmeProblems(view)).toEqual([]);
  });

  it('has a CHANGELOG (changelog)', () => {
    expect(changelogProblems(view)).toEqual([]);
  });

  it("has the Apache License 2.0 with its copyright notice filled in (license)", () => {
    expect(licenseProblems(view)).toEqual([]);
  });

  it('has an org-name-datasource id and a human-friendly name (typesuffix, pluginname)', () => {
    expect(idProblems(pluginJson)).toEqual([]);
  });

  it("carries package.json's version and the build date (version, packagejson)", () => {
    expect(versionProblems(pluginJson, packageJson.version)).toEqual([]);
  });

  it('declares the Grafana versions it runs on as an open range (grafanadependency, restrictivedep)', () => {
    expect(grafanaDependencyProblems(pluginJson)).toEqual([]);
  });

  it('has a description and keywords for the catalog search (discoverability)', () => {
    expect(discoverabilityProblems(pluginJson)).toEqual([]);
  });

  it('has only safe SVG images (unsafesvg)', () => {
    expect(svgProblems(view)).toEqual([]);
  });

  it('has no template placeholder left in plugin.json, README, CHANGELOG or LICENSE', () => {
    expect(placeholderProblems(view)).toEqual([]);
  });

  it('has no empty file', () => {
    expect(emptyFileProblems(view)).toEqual([]);
  });
});
