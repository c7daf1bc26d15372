import type { TraceSpanRow } from '@grafana/data';

import { traceNodeGraphFrames } from '../../../src/frames/nodeGraph';
import { coveredMs, selfTimes } from '../../../src/proto/selfTime';

const row = (spanID: string, parentSpanID: string | undefined, serviceName: string, startTime: number, duration: number): TraceSpanRow =>
  ({ traceID: 't', spanID, parentSpanID, serviceName, operationName: `op ${spanID}`, startTime, duration }) as TraceSpanRow;

/** A root of 100 ms with two overlapping children and one that runs on after the root ends. */
const rows = [row('r', undefined, 'frontend', 1000, 100), row('a', 'r', 'cart', 1010, 30), row('b', 'r', 'cart', 1030, 30), row('c', 'r', 'email', 1090, 60), row('x', 'gone', 'orphan', 1000, 10)];
const values = (frame: { fields: Array<{ name: string; values: unknown[] }> }) => Object.fromEntries(frame.fields.map((field) => [field.name, field.values]));

describe('node graph frames of a trace', () => {
  const [nodes, edges] = traceNodeGraphFrames(rows, 'A');

  it('are the frames Grafana draws as a node graph, with the field names of NodeGraphDataFrameFieldNames', () => {
    expect([nodes.meta?.preferredVisualisationType, edges.meta?.preferredVisualisationType]).toEqual(['nodeGraph', 'nodeGraph']);
    expect(nodes.fields.map((field) => field.name)).toEqual(['id', 'title', 'subtitle', 'mainstat', 'secondarystat', 'color', 'arc__self', 'arc__children']);
    expect(edges.fields.map((field) => field.name)).toEqual(['id', 'source', 'target', 'mainstat', 'secondarystat']);
    expect([nodes.refId, edges.refId]).toEqual(['A', 'A']);
  });

  it('give each span its total time against the trace and its self time against its own, children clipped to it and merged', () => {
    const node = values(nodes);
    expect(node.id).toEqual(['r', 'a', 'b', 'c', 'x']);
    expect(node.title).toEqual(['frontend', 'cart', 'cart', 'email', 'orphan']);
    // Trace: 1000 to 1150 ms. Root self: 100 - ([1010, 1060] + [1090, 1100]) = 40 ms.
    expect(node.mainstat).toEqual(['100ms (66.67%)', '30ms (20%)', '30ms (20%)', '60ms (40%)', '10ms (6.67%)']);
    expect(node.secondarystat).toEqual(['40ms (40%)', '30ms (100%)', '30ms (100%)', '60ms (100%)', '10ms (100%)']);
    expect(node.color).toEqual([40 / 150, 30 / 150, 30 / 150, 60 / 150, 10 / 150]);
    expect(node.arc__self).toEqual([0.4, 1, 1, 1, 1]);
    expect(node.arc__children).toEqual([0.6, 0, 0, 0, 0]);
  });

  it('draw an edge from each parent in the trace to its child, none for a parent that is missing', () => {
    expect(values(edges)).toEqual({
      id: ['r--a', 'r--b', 'r--c'],
      source: ['r', 'r', 'r'],
      target: ['a', 'b', 'c'],
      mainstat: ['30ms', '30ms', '60ms'],
      secondarystat: ['30% of the caller', '30% of the caller', '60% of the caller'],
    });
  });

  it('are empty for an empty trace', () => {
    const [noNodes, noEdges] = traceNodeGraphFrames([]);
    expect([noNodes.length, noEdges.length]).toEqual([0, 0]);
  });
});

describe('coveredMs', () => {
  it('counts overlapping ranges once and only inside the bounds', () => {
    expect(coveredMs([[0, 10], [5, 15], [20, 30]], 0, 100)).toBe(25);
    expect(coveredMs([[-5, 5], [95, 120]], 0, 100)).toBe(10);
    expect(coveredMs([[50, 60], [0, 100]], 0, 100)).toBe(100);
    expect(coveredMs([], 0, 100)).toBe(0);
  });
});

describe('selfTimes', () => {
  it("gives each span, in the order given, its duration less its children's merged time inside it, in the spans' own unit", () => {
    // Microseconds here: a root of 100 with overlapping children, one running on after it, one before it.
    const spans = [
      { spanID: 'r', startTime: 1000, duration: 100 },
      { spanID: 'a', parentSpanID: 'r', startTime: 1010, duration: 30 },
      { spanID: 'b', parentSpanID: 'r', startTime: 1030, duration: 30 },
      { spanID: 'c', parentSpanID: 'r', startTime: 1090, duration: 60 },
      { spanID: 'd', parentSpanID: 'r', startTime: 990, duration: 15 },
      { spanID: 'x', parentSpanID: 'gone', startTime: 1000, duration: 10 },
    ];
    expect(selfTimes(spans)).toEqual([35, 30, 30, 60, 15, 10]);
  });

  it('is never negative, and zero for a span its children cover', () => {
    expect(selfTimes([{ spanID: 'r', startTime: 0, duration: 10 }, { spanID: 'a', parentSpanID: 'r', startTime: -5, duration: 30 }])).toEqual([0, 30]);
  });
});
