/**
 * One trace's spans made safe to show: duplicates merged, parent cycles broken, orphans marked,
 * and the facts computed over the tree (root, depth). Everything is O(n) and iterative, so
 * 100,000 spans or a 10,000-level chain cost one pass and no recursion.
 */
import type { LogicalSpan } from './model';

export interface TraceFacts {
  spanCount: number;
  rootSpanId?: string;
  rootServiceName?: string;
  rootName?: string;
  /** Levels in the deepest path (a lone root is depth 1). */
  depth: number;
  orphans: number;
  cyclesBroken: number;
  duplicatesMerged: number;
  errorCount: number;
  services: string[];
  startTimeUnixNano?: bigint;
  endTimeUnixNano?: bigint;
}

export interface AssembledTrace {
  spans: LogicalSpan[];
  facts: TraceFacts;
  warnings: string[];
}

function compareStart(a: LogicalSpan, b: LogicalSpan): number {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) {
    return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1;
  }
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

function sameSpan(a: LogicalSpan, b: LogicalSpan): boolean {
  return a.startTimeUnixNano === b.startTimeUnixNano && a.durationNano === b.durationNano && a.name === b.name && a.parentSpanId === b.parentSpanId;
}

/** Keep one row per span id: exporter retries write identical copies; anything else is flagged. */
function mergeDuplicates(spans: LogicalSpan[]): { unique: LogicalSpan[]; merged: number; conflicting: number } {
  const byId = new Map<string, LogicalSpan>();
  let merged = 0;
  let conflicting = 0;
  for (const span of spans) {
    const kept = byId.get(span.spanId);
    if (!kept) {
      byId.set(span.spanId, span);
      continue;
    }
    merged++;
    if (!sameSpan(kept, span)) {
      conflicting++;
      kept.source.warnings.push(`another document (${span.source.index}/${span.source.id ?? '?'}) has this span id with different content; it is not shown`);
    } else if (!kept.source.warnings.some((w) => w.startsWith('stored more than once'))) {
      kept.source.warnings.push('stored more than once (exporter retry); shown once');
    }
    if (kept.events.length === 0 && span.events.length > 0) {
      kept.events = span.events;
    }
  }
  return { unique: [...byId.values()], merged, conflicting };
}

const UNVISITED = 0;
const ON_PATH = 1;
const DONE = 2;

/**
 * Depth of every span and cycle breaking in one pass: walk up from each unvisited span, keeping the
 * path on an explicit stack; meeting a span already on the path is a cycle, broken by making the
 * span whose parent closes the loop a root.
 */
function walkTree(spans: LogicalSpan[], byId: Map<string, LogicalSpan>): { depth: Map<string, number>; cyclesBroken: number } {
  const state = new Map<string, number>();
  const depth = new Map<string, number>();
  let cyclesBroken = 0;
  for (const start of spans) {
    if ((state.get(start.spanId) ?? UNVISITED) !== UNVISITED) {
      continue;
    }
    const path: LogicalSpan[] = [];
    let current: LogicalSpan | undefined = start;
    let base = 0;
    while (current) {
      state.set(current.spanId, ON_PATH);
      path.push(current);
      const parent: LogicalSpan | undefined = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
      if (!parent) {
        break;
      }
      const parentState = state.get(parent.spanId) ?? UNVISITED;
      if (parentState === DONE) {
        base = depth.get(parent.spanId)!;
        break;
      }
      if (parentState === ON_PATH) {
        current.source.warnings.push(`its parent ${current.parentSpanId} is also its descendant (a cycle); shown as a root`);
        current.parentSpanId = undefined;
        cyclesBroken++;
        break;
      }
      current = parent;
    }
    for (let i = path.length - 1; i >= 0; i--) {
      base += 1;
      depth.set(path[i].spanId, base);
      state.set(path[i].spanId, DONE);
    }
  }
  return { depth, cyclesBroken };
}

export function assembleTrace(spans: LogicalSpan[]): AssembledTrace {
  const warnings: string[] = [];
  const { unique, merged, conflicting } = mergeDuplicates(spans);
  if (merged > 0) {
    warnings.push(`${merged} duplicate document${merged === 1 ? '' : 's'} for spans already shown were merged${conflicting > 0 ? ` (${conflicting} with different content: see the span warnings)` : ' (exporter retries)'}`);
  }
  unique.sort(compareStart);
  const byId = new Map(unique.map((span) => [span.spanId, span]));
  let orphans = 0;
  for (const span of unique) {
    if (span.parentSpanId && !byId.has(span.parentSpanId)) {
      orphans++;
      span.source.warnings.push(`parent span ${span.parentSpanId} is not in this trace (not stored, not ingested yet, or outside the time range)`);
    }
  }
  const { depth, cyclesBroken } = walkTree(unique, byId);
  if (orphans > 0) {
    warnings.push(`${orphans} span${orphans === 1 ? ' has' : 's have'} a parent that is not in this trace`);
  }
  if (cyclesBroken > 0) {
    warnings.push(`${cyclesBroken} parent cycle${cyclesBroken === 1 ? ' was' : 's were'} broken to show the trace`);
  }
  return { spans: unique, facts: traceFacts(unique, depth, { orphans, cyclesBroken, merged }), warnings };
}

function traceFacts(spans: LogicalSpan[], depth: Map<string, number>, counts: { orphans: number; cyclesBroken: number; merged: number }): TraceFacts {
  const root = spans.find((span) => !span.parentSpanId) ?? spans[0];
  const services = new Set<string>();
  let maxDepth = 0;
  let errorCount = 0;
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (const span of spans) {
    services.add(span.serviceName);
    maxDepth = Math.max(maxDepth, depth.get(span.spanId) ?? 0);
    errorCount += span.statusCode === 2 ? 1 : 0;
    const spanEnd = span.startTimeUnixNano + (span.durationNano ?? BigInt(0));
    start = start === undefined || span.startTimeUnixNano < start ? span.startTimeUnixNano : start;
    end = end === undefined || spanEnd > end ? spanEnd : end;
  }
  return {
    spanCount: spans.length,
    rootSpanId: root?.spanId,
    rootServiceName: root?.serviceName,
    rootName: root?.name,
    depth: maxDepth,
    orphans: counts.orphans,
    cyclesBroken: counts.cyclesBroken,
    duplicatesMerged: counts.merged,
    errorCount,
    services: [...services].sort(),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
  };
}
