// Which code `estraces` runs: the command line built ahead of time (build/cli, by `npm run build`
// or `prepare`) while every file it was built from is as old as the build or older, else the
// TypeScript sources through tsx, so the command never runs code older than the sources.
'use strict';

const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const BUILT_CLI = 'build/cli/estraces.cjs';
const BUILT_CLI_SOURCES = 'build/cli/sources.json';

/** True when `root` holds a build of the command line that no source has changed since. */
function builtCliIsCurrent(root) {
  let builtAt;
  let sources;
  try {
    builtAt = statSync(join(root, BUILT_CLI)).mtimeMs;
    sources = JSON.parse(readFileSync(join(root, BUILT_CLI_SOURCES), 'utf8'));
  } catch {
    return false; // not built
  }
  if (!Array.isArray(sources) || sources.length === 0) {
    return false;
  }
  for (const source of sources) {
    try {
      if (statSync(join(root, source)).mtimeMs > builtAt) {
        return false;
      }
    } catch {
      return false; // a source is gone: the build is of another tree
    }
  }
  return true;
}

/** The command line's module: built when current (and ESTRACES_FROM_SOURCES is not 1), else the sources. */
function loadCli(root, env = process.env) {
  if (env.ESTRACES_FROM_SOURCES !== '1' && builtCliIsCurrent(root)) {
    return require(join(root, BUILT_CLI));
  }
  require('tsx/cjs/api').register();
  return require(join(root, 'src/cli/main.ts'));
}

module.exports = { BUILT_CLI, BUILT_CLI_SOURCES, builtCliIsCurrent, loadCli };
