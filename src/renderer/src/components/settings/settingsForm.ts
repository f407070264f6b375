import type { LinkConfig, LinkKind } from '../../../../shared/arm';
import { DEFAULT_BAUD_RATE, DEFAULT_VELOCITY_CAP_RAD_S } from '../../../../shared/robot/a1Spec';
import {
  ARM_JOINT_NAMES,
  LIMIT_TOLERANCE_RAD,
  hardwareRange,
  radText,
  type ArmJointName,
  type JointRange,
  type SafetySettings,
} from '../../../../shared/robot/safetyLimits';

/** Field errors by the dotted path of the settings patch ("safety.jointLimits.arm_joint2.lowerRad"). */
export type FieldErrors = Record<string, string>;

/** One message per field (the first), from zod issues or the `details.issues` of an invalid_arguments error. */
export function fieldErrorsFrom(
  issues: readonly { path: string | readonly PropertyKey[]; message: string }[],
): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
    errors[key] ??= issue.message;
  }
  return errors;
}

/** The errors a section shows beside its own fields (a field claims its path and everything under it), and the rest. */
export function splitFieldErrors(
  errors: FieldErrors,
  claimed: readonly string[],
): { inline: FieldErrors; other: string[] } {
  const inline: FieldErrors = {};
  const other: string[] = [];
  for (const [key, message] of Object.entries(errors)) {
    const owner = claimed.find((field) => key === field || key.startsWith(`${field}.`));
    if (owner) inline[owner] ??= message;
    else other.push(message);
  }
  return { inline, other };
}

/** A typed number: null for an empty field, NaN for text that is not a number. */
export function parseNumberText(text: string | number): number | null {
  const trimmed = String(text).trim().replace(/^−/, '-');
  if (!trimmed) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Radians as degrees for the hint beside an input ("≈ 95.0°"); empty when it is not a number. */
export function degreesHint(text: string | number): string {
  const value = parseNumberText(text);
  if (value === null || Number.isNaN(value)) return '';
  return `≈ ${((value * 180) / Math.PI).toFixed(1)}°`;
}

// ---- arm link ----

export type SimTransport = 'in-process' | 'pty' | 'tcp';

/** The link form as typed (numbers as text, so an empty or bad field can be named). */
export interface LinkDraft {
  kind: LinkKind;
  simTransport: SimTransport;
  simFeedbackRateHz: string;
  serialPath: string;
  serialBaudRate: string;
  tcpHost: string;
  tcpPort: string;
  rosbridgeUrl: string;
  acknowledged: boolean;
}

export function linkDraftFrom(link: LinkConfig | null): LinkDraft {
  const draft: LinkDraft = {
    kind: link?.kind ?? 'sim',
    simTransport: 'in-process',
    simFeedbackRateHz: '200',
    serialPath: '',
    serialBaudRate: String(DEFAULT_BAUD_RATE),
    tcpHost: '127.0.0.1',
    tcpPort: '4001',
    rosbridgeUrl: 'ws://localhost:9090',
    acknowledged: false,
  };
  switch (link?.kind) {
    case 'sim':
      draft.simTransport = link.transport;
      draft.simFeedbackRateHz = String(link.feedbackRateHz);
      break;
    case 'serial':
      draft.serialPath = link.path;
      draft.serialBaudRate = String(link.baudRate);
      draft.acknowledged = link.acceptInferredProtocol;
      break;
    case 'tcp':
      draft.tcpHost = link.host;
      draft.tcpPort = String(link.port);
      draft.acknowledged = link.acceptInferredProtocol;
      break;
    case 'rosbridge':
      draft.rosbridgeUrl = link.url;
      break;
  }
  return draft;
}

function integerIn(text: string, min: number, max: number): number | null {
  const value = parseNumberText(text);
  return value !== null && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/**
 * The link config a draft describes, or what is wrong with it in the operator's words (keyed as the settings
 * patch's fields: "arm.link.port"). Direct serial and TCP need the inferred-protocol acknowledgement.
 */
export function linkConfigFromDraft(draft: LinkDraft): { config: LinkConfig | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const ack = () => {
    if (!draft.acknowledged) {
      errors['arm.link.acceptInferredProtocol'] =
        'tick the acknowledgement: direct links use a protocol inferred from the vendor driver';
    }
  };
  let config: LinkConfig | null = null;
  switch (draft.kind) {
    case 'sim': {
      const rate = integerIn(draft.simFeedbackRateHz, 10, 1000);
      if (rate === null) errors['arm.link.feedbackRateHz'] = 'the feedback rate is a whole number of hertz, 10–1000';
      config = { kind: 'sim', transport: draft.simTransport, feedbackRateHz: rate ?? 200 };
      break;
    }
    case 'serial': {
      const path = draft.serialPath.trim();
      if (!path) errors['arm.link.path'] = 'enter the serial port, e.g. /dev/ttyACM0';
      const baud = integerIn(draft.serialBaudRate, 1, 100_000_000);
      if (baud === null)
        errors['arm.link.baudRate'] = `the baud rate is a whole number (the A1 uses ${DEFAULT_BAUD_RATE})`;
      ack();
      config = { kind: 'serial', path, baudRate: baud ?? DEFAULT_BAUD_RATE, acceptInferredProtocol: true };
      break;
    }
    case 'tcp': {
      const host = draft.tcpHost.trim();
      if (!host) errors['arm.link.host'] = 'enter the bridge’s host name or address';
      const port = integerIn(draft.tcpPort, 1, 65535);
      if (port === null) errors['arm.link.port'] = 'the port is a whole number, 1–65535';
      ack();
      config = { kind: 'tcp', host, port: port ?? 1, acceptInferredProtocol: true };
      break;
    }
    case 'rosbridge': {
      const url = draft.rosbridgeUrl.trim();
      if (!/^wss?:\/\/\S+$/.test(url)) errors['arm.link.url'] = 'a rosbridge URL starts with ws:// or wss://';
      config = { kind: 'rosbridge', url };
      break;
    }
  }
  return Object.keys(errors).length ? { config: null, errors } : { config, errors };
}

// ---- safety limits ----

export interface JointLimitDraft {
  joint: ArmJointName;
  lower: string;
  upper: string;
}

/** One row per arm joint: the saved limit, else the hardware's (4 decimals, as the console shows them). */
export function jointLimitDrafts(safety: SafetySettings | null): JointLimitDraft[] {
  return ARM_JOINT_NAMES.map((joint) => {
    const saved = safety?.jointLimits[joint];
    const hardware = hardwareRange(joint);
    return {
      joint,
      lower: radText(saved?.lowerRad ?? hardware.lowerRad),
      upper: radText(saved?.upperRad ?? hardware.upperRad),
    };
  });
}

function sameAsHardware(value: number, hardware: number): boolean {
  return Math.abs(value - hardware) <= LIMIT_TOLERANCE_RAD;
}

/**
 * The safety section to save: a joint whose range is the hardware's is left out (the A1's then applies), an empty
 * cap or the A1's own means none. Fields that are not numbers come back as errors; the schema judges the rest.
 */
export function safetyFromDrafts(
  rows: readonly JointLimitDraft[],
  velocityCap: string,
): {
  safety: { jointLimits: Partial<Record<ArmJointName, JointRange>>; velocityCapRadS: number | null };
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  const jointLimits: Partial<Record<ArmJointName, JointRange>> = {};
  for (const row of rows) {
    const hardware = hardwareRange(row.joint);
    const lower = parseNumberText(row.lower);
    const upper = parseNumberText(row.upper);
    const path = `safety.jointLimits.${row.joint}`;
    if (lower === null || Number.isNaN(lower))
      errors[`${path}.lowerRad`] = `${row.joint}: enter the lower limit in radians`;
    if (upper === null || Number.isNaN(upper))
      errors[`${path}.upperRad`] = `${row.joint}: enter the upper limit in radians`;
    if (lower === null || upper === null || Number.isNaN(lower) || Number.isNaN(upper)) continue;
    if (sameAsHardware(lower, hardware.lowerRad) && sameAsHardware(upper, hardware.upperRad)) continue;
    jointLimits[row.joint] = { lowerRad: lower, upperRad: upper };
  }
  let velocityCapRadS: number | null = parseNumberText(velocityCap);
  if (velocityCapRadS !== null && Number.isNaN(velocityCapRadS)) {
    errors['safety.velocityCapRadS'] = 'enter the velocity cap in rad/s, or leave it empty for the A1’s';
    velocityCapRadS = null;
  }
  if (velocityCapRadS === DEFAULT_VELOCITY_CAP_RAD_S) velocityCapRadS = null;
  return { safety: { jointLimits, velocityCapRadS }, errors };
}

// ---- external trainer command ----

/** The trainer command as the form shows it: one argument per line (an argv: no shell, no quoting). */
export function argvToLines(argv: readonly string[] | null): string {
  return argv ? argv.join('\n') : '';
}

/** One argument per non-empty line, trimmed; null when there is none. */
export function linesToArgv(text: string): string[] | null {
  const argv = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return argv.length ? argv : null;
}

/** The placeholders an argv leaves out (the trainer may read COACH_DATASET etc. instead: a hint, not an error). */
export function missingPlaceholders(argv: readonly string[] | null): string[] {
  if (!argv) return [];
  const text = argv.join(' ');
  return ['{dataset}', '{output}', '{model}'].filter((placeholder) => !text.includes(placeholder));
}
