// Which code `estraces` runs: the command line built ahead of time (build/cli, by `npm run build`
// or `prepare`) while every file it was built from is as old as the build or older, else the
// TypeScript sources through tsx, so the command never runs code older than the sources.
'use strict';

const { readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

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

/**
 * Requires the built bundle with V8's code cache: the compiled code of a first start is kept beside
 * the bundle (named by the bundle's size and time of writing, so a cache never meets another build,
 * and the build removes the caches of earlier ones), and later
 * starts skip compiling what it holds. Where the cache cannot be written (a read-only install), the
 * bundle is simply compiled each time.
 */
function requireWithCodeCache(file) {
  const source = readFileSync(file, 'utf8');
  const built = statSync(file);
  const cacheFile = `${file}.${built.size}-${Math.round(built.mtimeMs)}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // Once the command has run, the cache holds the functions it compiled on the way too.
    process.once('exit', () => {
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
      } catch {
        // Not writable here: nothing is lost but the next start's compile time.
      }
    });
  }
  const module = new Module(file, null);
  module.filename = file;
  module.paths = Module._nodeModulePaths(join(file, '..'));
  script.runInThisContext()(module.exports, Module.createRequire(file), module, file, join(file, '..'));
  module.loaded = true;
  return module.exports;
}

/** The command line's module: built when current (and ESTRACES_FROM_SOURCES is not 1), else the sources. */
function loadCli(root, env = process.env) {
  if (env.ESTRACES_FROM_SOURCES !== '1' && builtCliIsCurrent(root)) {
    return requireWithCodeCache(join(root, BUILT_CLI));
  }
  require('tsx/cjs/api').register();
  return require(join(root, 'src/cli/main.ts'));
}

module.exports = { BUILT_CLI, BUILT_CLI_SOURCES, builtCliIsCurrent, loadCli };
