// Levitate against the oldest supported Grafana: every export src/module.ts (and what it imports)
// takes from @grafana/data, ui and runtime, compared between the installed release and the
// floor's (the versions of tests/compat/floor/package.json). Levitate fetches both from the npm
// registry. It exits non-zero on an incompatibility; a package it skips would pass unnoticed, so a
// run that does not end with its verdict for all three fails too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const floor = JSON.parse(readFileSync(new URL('./floor/package.json', import.meta.url), 'utf8')).dependencies;
const target = ['@grafana/data', '@grafana/ui', '@grafana/runtime'].map((name) => `${name}@${floor[name]}`).join(',');
const run = spawnSync(
  'npx',
  ['--no-install', 'levitate', 'is-compatible', '--path', 'src/module.ts', '--target', target],
  { encoding: 'utf8' }
);
const output = `${run.stdout}${run.stderr}`;
process.stdout.write(output);
if (
  run.status !== 0 ||
  /Skipping package/.test(output) ||
  !output.includes(`appears to be compatible with ${target}`)
) {
  console.error(`\nlevitate: src/module.ts is not shown compatible with ${target} (exit ${run.status})`);
  process.exit(1);
}
