import { describe, expect, it } from 'vitest';
import {
  episodeEventText,
  prependEntry,
  runEnded,
  runStartedText,
  type LogEntry,
} from '../../../../src/renderer/src/components/log/logText';
import { IDLE_RUN_STATUS } from '../../../../src/shared/policy/policyTypes';

function entry(id: number): LogEntry {
  return { id, atMs: id, tone: 'info', source: 'run', text: `line ${id}` };
}

describe('log lines', () => {
  it('keep the newest first and drop the oldest past the cap', () => {
    let entries: LogEntry[] = [];
    for (let id = 1; id <= 5; id++) entries = prependEntry(entries, entry(id), 3);
    expect(entries.map((line) => line.id)).toEqual([5, 4, 3]);
  });

  it('say which attempt started and how it ended', () => {
    const status = {
      ...IDLE_RUN_STATUS,
      runId: 2,
      phase: 'finished' as const,
      instruction: 'put the grape in the plate',
      model: 'coach-tiny',
      outcome: 'max_strokes' as const,
      reason: 'stroke limit reached',
      strokes: 12,
      elapsedS: 8.25,
    };
    expect(runStartedText(status)).toBe('Attempt #2 started: “put the grape in the plate” with coach-tiny');
    expect(runEnded(status)).toEqual({
      tone: 'warn',
      text: 'Attempt #2 ended: max strokes (stroke limit reached) · 12 strokes · 8.3 s',
    });
    expect(runEnded({ ...status, outcome: 'success', reason: null }).tone).toBe('ok');
    expect(runEnded({ ...status, outcome: 'fault' }).tone).toBe('fault');
  });

  it('log episode events the operator cares about, not the recording ticks', () => {
    expect(episodeEventText({ kind: 'recording', ids: [3], episode: null })).toBeNull();
    expect(episodeEventText({ kind: 'deleted', ids: [3, 4], episode: null })).toEqual({
      tone: 'warn',
      text: 'Episodes #3, #4 deleted',
    });
    expect(episodeEventText({ kind: 'restored', ids: [1, 2, 3, 4, 5, 6], episode: null })?.text).toBe(
      '6 episodes restored',
    );
  });
});
