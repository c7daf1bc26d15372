import { DataFrameType } from '@grafana/data';

import { logsVolumeFrames } from '../../../src/frames/logsFrame';

describe('logs volume frames', () => {
  it('gives one series per severity over the same buckets, zero where a severity has no lines', () => {
    const frames = logsVolumeFrames(
      [
        { timeMs: 1000, counts: { ERROR: 2, INFO: 5 } },
        { timeMs: 2000, counts: { INFO: 1 } },
      ],
      { refId: 'log-volume-A', fromMs: 0, toMs: 3000 }
    );
    expect(frames.map((frame) => frame.name)).toEqual(['ERROR', 'INFO']);
    expect(frames[0].fields[1].values).toEqual([2, 0]);
    expect(frames[1].fields[1].values).toEqual([5, 1]);
    expect(frames[0].fields[1].labels).toEqual({ level: 'error' });
    expect(frames[0].meta?.type).toBe(DataFrameType.TimeSeriesMulti);
    expect(frames[0].meta?.custom).toEqual({ logsVolumeType: 'FullRange', absoluteRange: { from: 0, to: 3000 } });
  });

  it('gives no series when no line matched', () => {
    expect(logsVolumeFrames([], { fromMs: 0, toMs: 1 })).toEqual([]);
  });
});
