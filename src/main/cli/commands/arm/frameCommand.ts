import { parseArgs } from 'node:util';
import { FUNCTION_CODES, type FunctionName } from '../../../../shared/robot/a1Spec';
import { clampJointCommand, encodeFunctionFrame, encodeJointCommand } from '../../../../shared/robot/wire';
import { toHex } from './hex';

const FUNCTION_ALIASES: Record<string, FunctionName> = {
  enable: 'enable',
  disable: 'disable',
  'clear-error': 'clearError',
};

function requiredNumber(values: Record<string, string | undefined>, name: string): number {
  const text = values[name];
  if (text === undefined) throw new Error(`--${name} is required`);
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`--${name} must be a number, got "${text}"`);
  return value;
}

/** Lets "--pos -1" mean "--pos=-1" (node's parser would take -1 for an option). */
function attachNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** `coach arm frame joint …` and `coach arm frame function …`: print a frame's bytes, send nothing. */
export function runFrameCommand(argv: string[], out: (line: string) => void): number {
  const [kind, ...rest] = argv;
  if (kind === 'joint') {
    const { values } = parseArgs({
      args: attachNegativeValues(rest),
      options: {
        id: { type: 'string' },
        pos: { type: 'string' },
        vel: { type: 'string', default: '0' },
        tau: { type: 'string', default: '0' },
        kp: { type: 'string' },
        kd: { type: 'string' },
      },
    });
    const command = {
      motorId: requiredNumber(values, 'id'),
      posRad: requiredNumber(values, 'pos'),
      velRadS: requiredNumber(values, 'vel'),
      tauNm: requiredNumber(values, 'tau'),
      kp: requiredNumber(values, 'kp'),
      kd: requiredNumber(values, 'kd'),
    };
    const { clampedFields, command: safe } = clampJointCommand(command);
    out(toHex(encodeJointCommand(command)));
    for (const field of clampedFields)
      out(`note: ${field} ${command[field]} clamped to ${safe[field]} (the safe range)`);
    return 0;
  }
  if (kind === 'function') {
    const name = FUNCTION_ALIASES[rest[0] ?? ''];
    if (!name || rest.length !== 1) {
      throw new Error(`coach arm frame function needs one of: ${Object.keys(FUNCTION_ALIASES).join(', ')}`);
    }
    out(toHex(encodeFunctionFrame(FUNCTION_CODES[name])));
    return 0;
  }
  throw new Error('coach arm frame needs "joint" or "function"');
}
