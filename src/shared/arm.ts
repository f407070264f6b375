import { z } from 'zod';

export const linkKindSchema = z.enum(['sim', 'serial', 'tcp', 'rosbridge']);
export type LinkKind = z.infer<typeof linkKindSchema>;

/**
 * Direct serial and TCP speak the wire protocol Coach inferred from the vendor
 * driver; the operator must acknowledge that before Coach opens such a link.
 */
const inferredProtocolAck = z.literal(true, {
  error:
    'direct links use the A1 wire protocol as inferred from the vendor driver, not a vendor document; set acceptInferredProtocol to true to use it, or use the vendor ROS driver through rosbridge',
});

export const linkConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sim'),
    /** in-process: the embedded default; pty: a socat pty pair exercising the serial path; tcp: a loopback socket. */
    transport: z.enum(['in-process', 'pty', 'tcp']).default('in-process'),
    feedbackRateHz: z.number().int().min(10).max(1000).default(200),
  }),
  z.object({
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(1_000_000),
    acceptInferredProtocol: inferredProtocolAck,
  }),
  z.object({
    kind: z.literal('tcp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    acceptInferredProtocol: inferredProtocolAck,
  }),
  z.object({
    kind: z.literal('rosbridge'),
    url: z.string().regex(/^wss?:\/\//, 'a rosbridge URL starts with ws:// or wss://'),
  }),
]);
export type LinkConfig = z.infer<typeof linkConfigSchema>;
export type LinkConfigInput = z.input<typeof linkConfigSchema>;

export const linkStateSchema = z.enum(['connecting', 'up', 'degraded', 'down']);
export type LinkState = z.infer<typeof linkStateSchema>;

export const linkStatsSchema = z.object({
  kind: linkKindSchema,
  description: z.string(),
  state: linkStateSchema,
  feedbackRateHz: z.number().nonnegative(),
  crcErrors: z.number().int().nonnegative(),
  garbageBytes: z.number().int().nonnegative(),
  malformedFrames: z.number().int().nonnegative(),
  incompleteFeedback: z.number().int().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
});
export type LinkStats = z.infer<typeof linkStatsSchema>;

export const serialPortInfoSchema = z.object({
  path: z.string(),
  manufacturer: z.string().nullable(),
  vendorId: z.string().nullable(),
  productId: z.string().nullable(),
  serialNumber: z.string().nullable(),
  /** True when the USB id is the A1's (STM32 virtual COM port 0483:5740). */
  looksLikeA1: z.boolean(),
});
export type SerialPortInfo = z.infer<typeof serialPortInfoSchema>;

export const jointStateSchema = z.object({
  name: z.string(),
  motorId: z.number().int(),
  posRad: z.number(),
  velRadS: z.number(),
  tauNm: z.number(),
  lowerRad: z.number(),
  upperRad: z.number(),
  faultMask: z.number().int().nonnegative(),
});
export type JointState = z.infer<typeof jointStateSchema>;

export const motorFaultSchema = z.object({
  motorId: z.number().int(),
  motor: z.string(),
  bits: z.array(z.number().int()),
  names: z.array(z.string()),
});

export const governorModeSchema = z.enum(['no_feedback', 'holding', 'moving', 'faulted']);
export type GovernorMode = z.infer<typeof governorModeSchema>;

export const governorStatusSchema = z.object({
  mode: governorModeSchema,
  /** Why the arm holds, for the operator ("Stop (hold) pressed", "fault on arm_joint3: overcurrent", …). */
  holdReason: z.string().nullable(),
  /** Motion is refused until the operator releases the hold. */
  holdLatched: z.boolean(),
  setpointRad: z.array(z.number()).nullable(),
  targetRad: z.array(z.number()).nullable(),
  velocityCapRadS: z.number().positive(),
  watchdogMs: z.number().positive(),
  lastRejection: z.string().nullable(),
});
export type GovernorStatus = z.infer<typeof governorStatusSchema>;

/** One window of about a second of the 200 Hz control loop: tick intervals and lateness behind the deadline. */
export const controlTickWindowSchema = z.object({
  /** Wall clock at the window's last tick, ms since the Unix epoch. */
  endedAtMs: z.number(),
  ticks: z.number().int().nonnegative(),
  intervalP50Ms: z.number(),
  intervalP99Ms: z.number(),
  intervalMaxMs: z.number(),
  latenessP50Ms: z.number(),
  latenessP99Ms: z.number(),
  latenessMaxMs: z.number(),
});
export type ControlTickWindow = z.infer<typeof controlTickWindowSchema>;

/** The control loop's timing, measured in the arm's process (counters since it started). */
export const controlLoopTimingSchema = z.object({
  rateHz: z.number().positive(),
  ticks: z.number().int().nonnegative(),
  /** Ticks that fell more than a period behind (the loop skipped ahead). */
  overruns: z.number().int().nonnegative(),
  /** Ticks later than lateThresholdsMs[i] behind their deadline: ticksLateOver[i]. */
  lateThresholdsMs: z.array(z.number()),
  ticksLateOver: z.array(z.number().int().nonnegative()),
  /** The last completed window; null before the first second of ticks. */
  window: controlTickWindowSchema.nullable(),
});
export type ControlLoopTiming = z.infer<typeof controlLoopTimingSchema>;

export const armStateSchema = z.object({
  sampledAtMs: z.number(),
  connected: z.boolean(),
  link: linkStatsSchema.nullable(),
  /** Seven motors: six arm joints, then the gripper; empty before the first feedback. */
  joints: z.array(jointStateSchema),
  gripperStrokeMm: z.number().nullable(),
  enabled: z.boolean(),
  faults: z.array(motorFaultSchema),
  governor: governorStatusSchema,
  /** Absent from an older arm runtime. */
  controlLoop: controlLoopTimingSchema.optional(),
});
export type ArmState = z.infer<typeof armStateSchema>;

export const jogArgsSchema = z.object({
  motorId: z.number().int().min(1).max(7),
  /** Step to move the joint by; the governor caps its speed. */
  deltaRad: z.number().min(-0.3).max(0.3),
});
