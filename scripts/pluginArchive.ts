/**
 * The plugin archive Grafana's catalog takes (grafana.com/developers/plugin-tools, "Package a
 * plugin"): one folder named for the plugin id holding what the production build put in dist/,
 * in a file named `<id>-<version>.zip`, announced with its SHA-1 and MD5 (the checksums the
 * submission form and the plugin validator compare).
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { type ZipEntry, zipArchive } from './zip';

/** What `npm run package` made. */
export interface PackagedPlugin {
  file: string;
  bytes: number;
  entries: number;
  sha1: string;
  md5: string;
}

/** The id and version of the built plugin.json: the archive is named from what it ships. */
export function builtPluginIdentity(distDir: string): { id: string; version: string } {
  const file = path.join(distDir, 'plugin.json');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run \`npm run build\` first`);
  }
  const pluginJson = JSON.parse(fs.readFileSync(file, 'utf8')) as { id?: unknown; info?: { version?: unknown } };
  const id = pluginJson.id;
  const version = pluginJson.info?.version;
  if (typeof id !== 'string' || id === '' || typeof version !== 'string' || !/^\d+\.\d+\.\d+/.test(version)) {
    throw new Error(`${file} has no plugin id or no built version (info.version is ${JSON.stringify(version)}): run \`npm run build\``);
  }
  return { id, version };
}

/**
 * Every file and folder under `dir`, as entries under `topFolder/`, folders before what they hold
 * and names sorted, so the same dist/ always gives the same archive order.
 */
export function folderEntries(dir: string, topFolder: string): ZipEntry[] {
  const entries: ZipEntry[] = [{ path: `${topFolder}/`, data: Buffer.alloc(0), modifiedAt: fs.statSync(dir).mtime }];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      entries.push(...folderEntries(full, `${topFolder}/${name}`));
    } else if (stat.isFile()) {
      entries.push({ path: `${topFolder}/${name}`, data: fs.readFileSync(full), modifiedAt: stat.mtime });
    }
  }
  return entries;
}

/** Writes `<id>-<version>.zip` of `distDir` into `outDir` and says what it wrote. */
export function packagePlugin(distDir: string, outDir: string): PackagedPlugin {
  const { id, version } = builtPluginIdentity(distDir);
  const entries = folderEntries(distDir, id);
  const bytes = zipArchive(entries);
  const file = path.join(outDir, `${id}-${version}.zip`);
  fs.writeFileSync(file, bytes);
  return {
    file,
    bytes: bytes.length,
    entries: entries.length,
    sha1: createHash('sha1').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
  };
}
