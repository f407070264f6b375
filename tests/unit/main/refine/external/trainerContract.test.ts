import { describe, expect, it } from 'vitest';
import { ExternalTrainerError } from '../../../../../src/main/refine/external/externalErrors';
import { actionSpaceDifferences } from '../../../../../src/main/refine/external/importTrainedPackage';
import { trainerInvocation } from '../../../../../src/main/refine/external/trainerCommand';
import { parseTrainerLine } from '../../../../../src/main/refine/external/trainerEvents';

describe('parseTrainerLine', () => {
  it('reads progress with its step, total, loss and other numeric fields', () => {
    expect(
      parseTrainerLine('{"event":"progress","step":12,"total":800,"loss":0.52,"accuracy":0.75,"lr":5e-7,"note":"x"}'),
    ).toEqual({ event: 'progress', step: 12, total: 800, loss: 0.52, metrics: { accuracy: 0.75, lr: 5e-7 } });
    expect(parseTrainerLine('{"event":"progress","step":3}')).toEqual({
      event: 'progress',
      step: 3,
      total: null,
      loss: null,
      metrics: {},
    });
  });

  it('reads log, done (with and without a package) and error events', () => {
    expect(parseTrainerLine('{"event":"log","message":"epoch 1"}')).toEqual({ event: 'log', message: 'epoch 1' });
    expect(parseTrainerLine('{"event":"done","package":"final"}')).toEqual({ event: 'done', package: 'final' });
    expect(parseTrainerLine('{"event":"done"}')).toEqual({ event: 'done', package: null });
    expect(parseTrainerLine('{"event":"error","message":"out of memory"}')).toEqual({
      event: 'error',
      message: 'out of memory',
    });
  });

  it('keeps anything else as a log line, and skips blank lines', () => {
    expect(parseTrainerLine('Epoch 1/3: 100%|████|')).toEqual({ event: 'log', message: 'Epoch 1/3: 100%|████|' });
    expect(parseTrainerLine('{"event":"progress","step":"12"}')).toEqual({
      event: 'log',
      message: '{"event":"progress","step":"12"}',
    });
    expect(parseTrainerLine('{"event":"checkpoint"}')).toEqual({ event: 'log', message: '{"event":"checkpoint"}' });
    expect(parseTrainerLine('{not json')).toEqual({ event: 'log', message: '{not json' });
    expect(parseTrainerLine('  \r')).toBeNull();
  });
});

describe('trainerInvocation', () => {
  const paths = { datasetDir: '/d/pairs set', outputDir: '/o', baseModelDir: '/m' };

  it('substitutes the placeholders in every argument, without a shell, and sets the COACH_ variables', () => {
    const inv = trainerInvocation(
      ['python', '-m', 'nora.dpo'],
      ['--data={dataset}', '{output}', '{model}/cfg'],
      paths,
      {
        CUDA_VISIBLE_DEVICES: '0',
        COACH_OUTPUT: 'overridden?',
      },
    );
    expect(inv.file).toBe('python');
    expect(inv.args).toEqual(['-m', 'nora.dpo', '--data=/d/pairs set', '/o', '/m/cfg']);
    expect(inv.env).toMatchObject({
      CUDA_VISIBLE_DEVICES: '0',
      COACH_DATASET: '/d/pairs set',
      COACH_OUTPUT: '/o',
      COACH_BASE_MODEL: '/m',
    });
    expect(inv.env.PATH).toBe(process.env.PATH);
  });

  it('refuses an empty command', () => {
    expect(() => trainerInvocation([], [], paths)).toThrow(ExternalTrainerError);
    expect(() => trainerInvocation('  ', [], paths)).toThrow(/no trainer command is configured/);
  });
});

describe('actionSpaceDifferences', () => {
  const base = {
    space: 'ee_delta' as const,
    chunkLength: 5,
    dims: 7,
    names: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
    normalization: { q01: [0, 0, 0, 0, 0, 0, 0], q99: [1, 1, 1, 1, 1, 1, 1], mask: Array(7).fill(true) },
    gripper: { dim: 6, closedValue: 0, openValue: 1 },
  };

  it('is empty for the same action space, even with other normalisation stats', () => {
    expect(
      actionSpaceDifferences(base, { ...base, normalization: { ...base.normalization, q99: Array(7).fill(2) } }),
    ).toEqual([]);
  });

  it('names chunk length, dims and names that differ', () => {
    expect(actionSpaceDifferences(base, { ...base, chunkLength: 8, dims: 8, names: [...base.names, 'extra'] })).toEqual(
      [
        'action.chunkLength is 8 (base: 5)',
        'action.dims is 8 (base: 7)',
        'action.names are [dx, dy, dz, droll, dpitch, dyaw, gripper, extra] (base: [dx, dy, dz, droll, dpitch, dyaw, gripper])',
      ],
    );
  });
});
