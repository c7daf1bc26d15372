#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the command uses exactly the sources the plugin is built from.
require('tsx/cjs/api').register();
const { main } = require('../src/cli/main.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`estraces: ${error && error.message ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
);
