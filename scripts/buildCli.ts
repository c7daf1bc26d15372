/**
 * The command line built ahead of time: src/cli/main.ts and everything it imports, bundled by
 * esbuild into build/cli/estraces.cjs, with the list of the repository's files it was built from
 * (build/cli/sources.json). bin/estraces.js runs the bundle while none of those files has changed
 * since, else the TypeScript sources through tsx (bin/launch.js). Run by `npm run build` and by
 * `prepare`, so by `npm ci` and `npm install`.
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { BUILT_CLI, BUILT_CLI_SOURCES } from '../bin/launch';

const root = path.resolve(__dirname, '..');

async function buildCli(): Promise<string[]> {
  // The code caches of earlier builds (bin/launch.js names each by its bundle's size and time) serve no build again.
  const dir = path.join(root, path.dirname(BUILT_CLI));
  for (const file of (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []).filter((entry) => entry.name.endsWith('.v8cache'))) {
    rmSync(path.join(dir, file.name), { force: true });
  }
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: BUILT_CLI,
    metafile: true,
    // Packages stay where npm put them and load when a command needs them (the SDK for demo and bench),
    // so a start parses only the command line's own code.
    packages: 'external',
    legalComments: 'none',
    logLevel: 'warning',
  });
  // The repository's own files; the packages are there as the lock file says, so it stands for them.
  const sources = Object.keys(result.metafile.inputs).filter((input) => !input.split('/').includes('node_modules'));
  return [...sources, 'package-lock.json'].sort();
}

buildCli().then(
  (sources) => {
    writeFileSync(path.join(root, BUILT_CLI_SOURCES), `${JSON.stringify(sources, null, 1)}\n`);
    process.stdout.write(`${BUILT_CLI}: the command line, built from ${sources.length} files\n`);
  },
  (error: unknown) => {
    process.stderr.write(`build:cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
);
