#!/usr/bin/env node
// The command line: built ahead of time while that build is current, else its TypeScript sources (launch.js).
const { join } = require('node:path');

const { loadCli } = require('./launch');

loadCli(join(__dirname, '..'))
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`estraces: ${error && error.message ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  );
