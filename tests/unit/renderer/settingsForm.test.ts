import { describe, expect, it } from 'vitest';
import {
  argvToLines,
  degreesHint,
  fieldErrorsFrom,
  jointLimitDrafts,
  linesToArgv,
  linkConfigFromDraft,
  linkDraftFrom,
  missingPlaceholders,
  parseNumberText,
  safetyFromDrafts,
  splitFieldErrors,
} from '../../../src/renderer/src/components/settings/settingsForm';
import { CONSOLE_SHORTCUTS as SHORTCUT_BINDINGS } from '../../../src/renderer/src/components/shortcuts/consoleShortcuts';
import { linkConfigSchema } from '../../../src/shared/arm';
import { settingsPatchSchema } from '../../../src/shared/settings';

describe('settings form: field errors', () => {
  it('keys issues by their dotted path, first message wins', () => {
    expect(
      fieldErrorsFrom([
        { path: ['safety', 'velocityCapRadS'], message: 'first' },
        { path: 'safety.velocityCapRadS', message: 'second' },
        { path: ['arm', 'link', 'port'], message: 'port' },
      ]),
    ).toEqual({ 'safety.velocityCapRadS': 'first', 'arm.link.port': 'port' });
  });

  it('gives a field its own errors and those under it; the rest go to the section', () => {
    expect(
      splitFieldErrors({ 'arm.link.port': 'bad port', 'arm.link.url.x': 'deep', 'arm.other': 'other' }, [
        'arm.link.port',
        'arm.link.url',
      ]),
    ).toEqual({ inline: { 'arm.link.port': 'bad port', 'arm.link.url': 'deep' }, other: ['other'] });
  });
});

describe('settings form: numbers', () => {
  it('parses typed numbers, empty as null and text as NaN', () => {
    expect(parseNumberText(' 1.25 ')).toBe(1.25);
    expect(parseNumberText('−0.5')).toBe(-0.5);
    expect(parseNumberText('')).toBeNull();
    expect(parseNumberText('abc')).toBeNaN();
    expect(degreesHint('1.5708')).toBe('≈ 90.0°');
    expect(degreesHint('x')).toBe('');
  });
});

describe('settings form: arm link', () => {
  it('round-trips every kind of link the schema knows', () => {
    const links = [
      linkConfigSchema.parse({ kind: 'sim', transport: 'pty', feedbackRateHz: 100 }),
      linkConfigSchema.parse({ kind: 'serial', path: '/dev/ttyACM1', baudRate: 921600, acceptInferredProtocol: true }),
      linkConfigSchema.parse({ kind: 'tcp', host: 'bridge', port: 4001, acceptInferredProtocol: true }),
      linkConfigSchema.parse({ kind: 'rosbridge', url: 'ws://lab:9090' }),
    ];
    for (const link of links) expect(linkConfigFromDraft(linkDraftFrom(link))).toEqual({ config: link, errors: {} });
  });

  it('names what is missing, in the operator’s words, keyed as the patch fields', () => {
    const draft = { ...linkDraftFrom(null), kind: 'tcp' as const, tcpHost: ' ', tcpPort: '70000' };
    expect(linkConfigFromDraft(draft)).toEqual({
      config: null,
      errors: {
        'arm.link.host': 'enter the bridge’s host name or address',
        'arm.link.port': 'the port is a whole number, 1–65535',
        'arm.link.acceptInferredProtocol':
          'tick the acknowledgement: direct links use a protocol inferred from the vendor driver',
      },
    });
    expect(linkConfigFromDraft({ ...linkDraftFrom(null), kind: 'rosbridge', rosbridgeUrl: 'http://x' }).errors).toEqual(
      {
        'arm.link.url': 'a rosbridge URL starts with ws:// or wss://',
      },
    );
  });
});

describe('settings form: safety limits', () => {
  it('starts from the hardware ranges and saves nothing for an untouched joint', () => {
    const rows = jointLimitDrafts(null);
    expect(rows[4]).toEqual({ joint: 'arm_joint5', lower: '-1.6581', upper: '1.6581' });
    expect(safetyFromDrafts(rows, '')).toEqual({ safety: { jointLimits: {}, velocityCapRadS: null }, errors: {} });
    expect(safetyFromDrafts(rows, '2').safety.velocityCapRadS).toBeNull();
  });

  it('keeps a tightened joint, and the schema accepts it', () => {
    const rows = jointLimitDrafts(null);
    rows[1] = { ...rows[1]!, upper: '1.6' };
    const { safety, errors } = safetyFromDrafts(rows, '1.2');
    expect(errors).toEqual({});
    expect(safety).toEqual({ jointLimits: { arm_joint2: { lowerRad: 0, upperRad: 1.6 } }, velocityCapRadS: 1.2 });
    expect(settingsPatchSchema.safeParse({ safety }).success).toBe(true);
    expect(jointLimitDrafts({ jointLimits: safety.jointLimits, velocityCapRadS: 1.2 })[1]).toEqual({
      joint: 'arm_joint2',
      lower: '0',
      upper: '1.6',
    });
  });

  it('passes a looser limit to the schema, which names the joint and the hardware limit', () => {
    const rows = jointLimitDrafts(null);
    rows[1] = { ...rows[1]!, lower: '-0.5' };
    const { safety } = safetyFromDrafts(rows, '');
    const result = settingsPatchSchema.safeParse({ safety });
    expect(result.success).toBe(false);
    expect(fieldErrorsFrom(result.error!.issues)).toEqual({
      'safety.jointLimits.arm_joint2.lowerRad':
        "arm_joint2 lower limit -0.5 rad is looser than the hardware's 0 rad: limits may only be tighter than the A1's range (0 … 3.1415 rad)",
    });
  });

  it('refuses fields that are not numbers before the schema sees them', () => {
    const rows = jointLimitDrafts(null);
    rows[0] = { ...rows[0]!, lower: '' };
    expect(safetyFromDrafts(rows, 'fast').errors).toEqual({
      'safety.jointLimits.arm_joint1.lowerRad': 'arm_joint1: enter the lower limit in radians',
      'safety.velocityCapRadS': 'enter the velocity cap in rad/s, or leave it empty for the A1’s',
    });
  });
});

describe('settings form: external trainer command', () => {
  it('is one argument per line, no shell quoting', () => {
    const argv = ['python', '/opt/my trainer/train.py', '--pairs', '{dataset}'];
    expect(argvToLines(argv)).toBe('python\n/opt/my trainer/train.py\n--pairs\n{dataset}');
    expect(linesToArgv(`${argvToLines(argv)}\n\n  `)).toEqual(argv);
    expect(linesToArgv(' \n')).toBeNull();
    expect(argvToLines(null)).toBe('');
    expect(missingPlaceholders(argv)).toEqual(['{output}', '{model}']);
  });
});

describe('keyboard shortcuts list', () => {
  it('lists Stop (hold) on Esc and the label keys', () => {
    expect(SHORTCUT_BINDINGS[0]).toMatchObject({ keys: ['Esc'], action: expect.stringContaining('Stop (hold)') });
    const labelKeys = SHORTCUT_BINDINGS.filter((binding) => binding.where.startsWith('label prompt')).flatMap(
      (binding) => binding.keys,
    );
    expect(labelKeys).toEqual(['G', 'B', 'U', 'S']);
  });
});
