/**
 * Driving the harness page as a user does (clicks, typing, picking from Grafana's menus) and
 * reading what it published: the stored query or settings, and each run of the data source.
 * Every wait is for a state of the page, never for a length of time.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

import { type HarnessState, type HarnessView, type PreviewRecord, type RunRecord, STATE_GLOBAL } from './harness/contract';
import type { HarnessServer } from './server';

/** Test artefacts (screenshots, the console of each page): ignored by git, kept by CI. */
export const ARTIFACTS = resolve(__dirname, 'artifacts');
/** The images README.md and plugin.json show, rewritten only when ESTRACES_UPDATE_SCREENSHOTS=1. */
export const DOCUMENTED_SCREENSHOTS = resolve(__dirname, '../../src/img/screenshots');

export interface HarnessPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors of the page: a test fails on any. */
  errors: string[];
  /** Every console message, written to the artefacts when the page closes. */
  messages: string[];
  close(): Promise<void>;
}

/** A fresh page showing one view; the viewport, locale and time zone are fixed so screenshots are stable. */
export async function openView(browser: Browser, server: HarnessServer, view: HarnessView, name: string, query?: unknown): Promise<HarnessPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  const messages: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  const search = new URLSearchParams({ view, ...(query === undefined ? {} : { query: JSON.stringify(query) }) });
  await page.goto(`${server.url}/?${search}`);
  await page.getByTestId('editor').waitFor();
  return {
    page,
    context,
    errors,
    messages,
    close: async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `${name}.console.txt`), messages.join('\n'));
      await context.close();
    },
  };
}

export function harnessState(page: Page): Promise<HarnessState> {
  return page.evaluate((global) => (window as unknown as Record<string, HarnessState>)[global], STATE_GLOBAL);
}

export async function stored<T>(page: Page): Promise<T> {
  return (await harnessState(page)).stored as T;
}

/**
 * Waits until the stored query (or settings) has each of these top-level values, compared as
 * JSON whatever the order of object keys; a key whose value is undefined must be absent.
 */
export async function waitForStored(page: Page, expected: Record<string, unknown>): Promise<void> {
  await page.waitForFunction(
    ([global, wanted]) => {
      // Defined here: the function runs in the page.
      const canonical = (value: unknown): string =>
        value !== null && typeof value === 'object' && !Array.isArray(value)
          ? `{${Object.keys(value)
              .sort()
              .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
              .join(',')}}`
          : JSON.stringify(value);
      const saved = ((window as unknown as Record<string, HarnessState>)[global].stored ?? {}) as Record<string, unknown>;
      return Object.keys(wanted).every((key) => canonical(saved[key]) === canonical(wanted[key]));
    },
    [STATE_GLOBAL, expected] as const
  );
}

/** Clicks "Run query" as a user does and gives the run it started, once it has finished. */
export async function runQuery(page: Page): Promise<RunRecord> {
  const before = (await harnessState(page)).runs.length;
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForFunction(
    ([global, count]) => {
      const runs = (window as unknown as Record<string, HarnessState>)[global].runs;
      return runs.length > count && runs[runs.length - 1].state === 'done';
    },
    [STATE_GLOBAL, before] as const
  );
  const { runs } = await harnessState(page);
  return runs[runs.length - 1];
}

/** The variable preview after the latest change, once it has its values. */
export async function latestPreview(page: Page, query: unknown): Promise<PreviewRecord> {
  await page.waitForFunction(
    ([global, wanted]) => {
      const previews = (window as unknown as Record<string, HarnessState>)[global].previews;
      const last = previews[previews.length - 1];
      return last !== undefined && last.state === 'done' && JSON.stringify(last.query) === JSON.stringify(wanted);
    },
    [STATE_GLOBAL, query] as const
  );
  const { previews } = await harnessState(page);
  return previews[previews.length - 1];
}

/**
 * Chooses a query type (or any option of a radio button group) by its label. @grafana/ui lays each
 * option's transparent radio input over its label, so the input is what a user's click lands on.
 */
export async function chooseRadio(page: Page, label: string): Promise<void> {
  await page.getByRole('radio', { name: label, exact: true }).check();
}

/** Turns on a @grafana/ui Switch, given its input's id, by clicking the slider a user sees (the label beside that input). */
export async function switchOn(page: Page, id: string): Promise<void> {
  const input = page.locator(`input#${id}[role="switch"]`);
  await input.locator('+ label').click();
  await page.locator(`input#${id}[role="switch"]:checked`).waitFor({ state: 'attached' });
}

/** Opens a Grafana Combobox or Select, unless open, and picks the option with exactly this text from the list it loads. */
export async function pick(page: Page, input: Locator, option: string): Promise<void> {
  // A click on the field of an open menu (opened by a click or by typing) would close it.
  if ((await input.getAttribute('aria-expanded')) !== 'true') {
    await input.click();
  }
  await page.getByRole('option').filter({ has: page.getByText(option, { exact: true }) }).click();
}

/** Clicks the page's empty corner: fields lose focus (committing what was typed), no focus ring shows. */
export async function clickAway(page: Page): Promise<void> {
  await page.mouse.click(1270, 890);
}

/**
 * A screenshot of part of the page, into the artefacts; with ESTRACES_UPDATE_SCREENSHOTS=1 also
 * over the documented image of that name.
 */
export async function screenshot(target: Locator, name: string, documented = false): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await target.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  if (documented && process.env.ESTRACES_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCUMENTED_SCREENSHOTS, { recursive: true });
    copyFileSync(file, join(DOCUMENTED_SCREENSHOTS, `${name}.png`));
  }
}
