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

/** Keep one row per span id: exporter retries write identical copies; anything else is flagged. */
function mergeDuplicates(spans: LogicalSpan[]): { unique: LogicalSpan[]; byId: Map<string, number>; merged: number; conflicting: number } {
  const byId = new Map<string, number>();
  const unique: LogicalSpan[] = [];
  let merged = 0;
  let conflicting = 0;
  for (const span of spans) {
    const at = byId.get(span.spanId);
    if (at === undefined) {
      byId.set(span.spanId, unique.length);
      unique.push(span);
      continue;
    }
    const kept = unique[at];
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
  return { unique, byId, merged, conflicting };
}

function sameSpan(a: LogicalSpan, b: LogicalSpan): boolean {
  return a.startTimeUnixNano === b.startTimeUnixNano && a.durationNano === b.durationNano && a.name === b.name && a.parentSpanId === b.parentSpanId;
}

/**
 * The positions of `spans` in start order (ties by span id). Compared as floats first, which is
 * exact where they differ (rounding keeps order), and as BigInt only where the floats tie.
 */
function startOrder(spans: LogicalSpan[]): number[] {
  const approx = new Float64Array(spans.length);
  const order = new Array<number>(spans.length);
  for (let i = 0; i < spans.length; i++) {
    approx[i] = Number(spans[i].startTimeUnixNano);
    order[i] = i;
  }
  return order.sort((i, j) => {
    if (approx[i] !== approx[j]) {
      return approx[i] - approx[j];
    }
    const a = spans[i];
    const b = spans[j];
    if (a.startTimeUnixNano !== b.startTimeUnixNano) {
      return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1;
    }
    return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
  });
}

const UNVISITED = 0;
const ON_PATH = 1;
const DONE = 2;
const NO_PARENT = -1;

/**
 * Depth of every span and cycle breaking in one pass, over positions: walk up from each unvisited
 * span (in the order given), keeping the path on an explicit stack; meeting a span already on the
 * path is a cycle, broken by making the span whose parent closes the loop a root.
 */
function walkTree(spans: LogicalSpan[], parent: Int32Array): { depth: Int32Array; cyclesBroken: number } {
  const n = spans.length;
  const state = new Uint8Array(n);
  const depth = new Int32Array(n);
  const path = new Int32Array(n);
  let cyclesBroken = 0;
  for (let start = 0; start < n; start++) {
    if (state[start] !== UNVISITED) {
      continue;
    }
    let length = 0;
    let current = start;
    let base = 0;
    for (;;) {
      state[current] = ON_PATH;
      path[length++] = current;
      const up = parent[current];
      if (up === NO_PARENT) {
        break;
      }
      if (state[up] === DONE) {
        base = depth[up];
        break;
      }
      if (state[up] === ON_PATH) {
        const span = spans[current];
        span.source.warnings.push(`its parent ${span.parentSpanId} is also its descendant (a cycle); shown as a root`);
        span.parentSpanId = undefined;
        parent[current] = NO_PARENT;
        cyclesBroken++;
        break;
      }
      current = up;
    }
    for (let i = length - 1; i >= 0; i--) {
      base += 1;
      depth[path[i]] = base;
      state[path[i]] = DONE;
    }
  }
  return { depth, cyclesBroken };
}

export function assembleTrace(spans: LogicalSpan[]): AssembledTrace {
  const warnings: string[] = [];
  const { unique, byId, merged, conflicting } = mergeDuplicates(spans);
  if (merged > 0) {
    warnings.push(`${merged} duplicate document${merged === 1 ? '' : 's'} for spans already shown were merged${conflicting > 0 ? ` (${conflicting} with different content: see the span warnings)` : ' (exporter retries)'}`);
  }
  const order = startOrder(unique);
  // rank[p]: where the span at position p of `unique` goes in start order.
  const rank = new Int32Array(unique.length);
  const sorted = new Array<LogicalSpan>(unique.length);
  for (let i = 0; i < order.length; i++) {
    rank[order[i]] = i;
    sorted[i] = unique[order[i]];
  }
  const parent = new Int32Array(sorted.length).fill(NO_PARENT);
  let orphans = 0;
  for (let i = 0; i < sorted.length; i++) {
    const span = sorted[i];
    if (!span.parentSpanId) {
      continue;
    }
    const at = byId.get(span.parentSpanId);
    if (at === undefined) {
      orphans++;
      span.source.warnings.push(`parent span ${span.parentSpanId} is not in this trace (not stored, not ingested yet, or outside the time range)`);
    } else {
      parent[i] = rank[at];
    }
  }
  const { depth, cyclesBroken } = walkTree(sorted, parent);
  if (orphans > 0) {
    warnings.push(`${orphans} span${orphans === 1 ? ' has' : 's have'} a parent that is not in this trace`);
  }
  if (cyclesBroken > 0) {
    warnings.push(`${cyclesBroken} parent cycle${cyclesBroken === 1 ? ' was' : 's were'} broken to show the trace`);
  }
  return { spans: sorted, facts: traceFacts(sorted, depth, { orphans, cyclesBroken, merged }), warnings };
}

function traceFacts(spans: LogicalSpan[], depth: Int32Array, counts: { orphans: number; cyclesBroken: number; merged: number }): TraceFacts {
  const root = spans.find((span) => !span.parentSpanId) ?? spans[0];
  const services = new Set<string>();
  let maxDepth = 0;
  let errorCount = 0;
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    services.add(span.serviceName);
    maxDepth = Math.max(maxDepth, depth[i]);
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

/**
 * The spans of a trace still loading, to show meanwhile: one per span id, in start order. Unlike
 * assembleTrace it changes no span, so the whole trace is assembled from the same spans later.
 */
export function partialTrace(spans: LogicalSpan[]): LogicalSpan[] {
  const seen = new Set<string>();
  const unique: LogicalSpan[] = [];
  for (const span of spans) {
    if (!seen.has(span.spanId)) {
      seen.add(span.spanId);
      unique.push(span);
    }
  }
  return startOrder(unique).map((i) => unique[i]);
}
