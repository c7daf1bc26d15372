/**
 * What the page publishes for the tests on `window` (see contract.ts): the stored query or
 * settings, and each run of the data source or of a variable's preview as it starts and ends.
 */
import { type FrameSummary, type HarnessState, type HarnessView, STATE_GLOBAL } from './contract';

declare global {
  interface Window {
    [STATE_GLOBAL]: HarnessState;
  }
}

export function publishState(view: HarnessView, stored: unknown): void {
  window[STATE_GLOBAL] = { view, stored, runs: [], previews: [] };
}

const state = () => window[STATE_GLOBAL];

export function saveStored(value: unknown, definition?: string): void {
  state().stored = value;
  state().definition = definition;
}

/** A new run of the data source; the one before it, if still running, was cancelled. Gives its number. */
export function startRun(query: unknown): number {
  const { runs } = state();
  runs.filter((run) => run.state === 'running').forEach((run) => (run.state = 'done'));
  return runs.push({ state: 'running', query, frames: [], errors: [] }) - 1;
}

export function runAnswered(run: number, frames: FrameSummary[], errors: string[]): void {
  Object.assign(state().runs[run], { frames, errors });
}

export function runEnded(run: number, error?: string): void {
  const record = state().runs[run];
  record.state = 'done';
  if (error !== undefined) {
    record.errors.push(error);
  }
}

export function startPreview(query: unknown): number {
  return state().previews.push({ state: 'running', query, values: [] }) - 1;
}

export function previewEnded(preview: number, values: string[], error?: string): void {
  Object.assign(state().previews[preview], { state: 'done', values, error });
}
