/**
 * Which code `estraces` runs (bin/launch.js): the build of the command line only while every file
 * it was built from is as old as the build or older; otherwise the sources, so an edited source is
 * never shadowed by an older build.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { BUILT_CLI, BUILT_CLI_SOURCES, builtCliIsCurrent } from '../../../bin/launch';

const BUILT_AT = new Date('2026-06-01T12:00:00Z');
const BEFORE = new Date('2026-06-01T11:00:00Z');
const AFTER = new Date('2026-06-01T13:00:00Z');

let root: string;

function write(path: string, text: string, time: Date): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  utimesSync(file, time, time);
}

/** A tree with two sources and a build of them, each file with the time given. */
function tree(times: { main?: Date; lock?: Date; build?: Date } = {}, sources: unknown = ['src/cli/main.ts', 'package-lock.json']): void {
  write('src/cli/main.ts', 'export {}', times.main ?? BEFORE);
  write('package-lock.json', '{}', times.lock ?? BEFORE);
  write(BUILT_CLI, 'module.exports = {}', times.build ?? BUILT_AT);
  write(BUILT_CLI_SOURCES, JSON.stringify(sources), times.build ?? BUILT_AT);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'estraces-launch-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('builtCliIsCurrent', () => {
  it('runs the build when every source is older than it', () => {
    tree();
    expect(builtCliIsCurrent(root)).toBe(true);
  });

  it('runs the build when a source has the very time of the build', () => {
    tree({ main: BUILT_AT });
    expect(builtCliIsCurrent(root)).toBe(true);
  });

  it('runs the sources when one of them changed after the build', () => {
    tree({ main: AFTER });
    expect(builtCliIsCurrent(root)).toBe(false);
  });

  it('runs the sources when the lock file changed after the build (other packages installed)', () => {
    tree({ lock: AFTER });
    expect(builtCliIsCurrent(root)).toBe(false);
  });

  it('runs the sources when there is no build', () => {
    write('src/cli/main.ts', 'export {}', BEFORE);
    expect(builtCliIsCurrent(root)).toBe(false);
  });

  it('runs the sources when a file the build came from is gone', () => {
    tree({}, ['src/cli/main.ts', 'src/cli/gone.ts']);
    expect(builtCliIsCurrent(root)).toBe(false);
  });

  it('runs the sources when the list of sources is empty or not a list', () => {
    tree({}, []);
    expect(builtCliIsCurrent(root)).toBe(false);
    tree({}, { 'src/cli/main.ts': 1 });
    expect(builtCliIsCurrent(root)).toBe(false);
  });

  it('runs the sources when the list of sources is not JSON', () => {
    tree();
    write(BUILT_CLI_SOURCES, 'src/cli/main.ts', BUILT_AT);
    expect(builtCliIsCurrent(root)).toBe(false);
  });
});
