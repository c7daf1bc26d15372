/**
 * The system's Chromium, driven by playwright-core (which never downloads a browser here). A
 * missing Chromium fails the browser tests with what to install: they are never skipped.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

import { type Browser, chromium } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** ESTRACES_CHROMIUM, else the first Chromium or Chrome on the PATH. */
export function findChromium(): string {
  const given = process.env.ESTRACES_CHROMIUM;
  if (given) {
    if (!isExecutable(given)) {
      throw new Error(`ESTRACES_CHROMIUM is '${given}', which is not an executable file: point it at a Chromium or Chrome binary`);
    }
    return given;
  }
  const folders = (process.env.PATH ?? '').split(delimiter).filter((folder) => folder !== '');
  for (const name of NAMES) {
    const found = folders.map((folder) => join(folder, name)).find(isExecutable);
    if (found) {
      return found;
    }
  }
  throw new Error(
    `the browser tests need Chromium and found none on the PATH (looked for ${NAMES.join(', ')}): ` +
      'install it with `apt-get install chromium` (Debian, Ubuntu), or set ESTRACES_CHROMIUM to a Chromium or Chrome binary'
  );
}

/** Headless Chromium; `--no-sandbox` because CI and containers run it as root. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox'] });
}
