import { z } from 'zod';
import { defineMethod, defineStream } from './define';
import { systemHealthSchema, systemInfoSchema } from '../system';
import { settingsPatchSchema, settingsSchema } from '../settings';
import { armStateSchema, jogArgsSchema, linkConfigSchema, serialPortInfoSchema } from '../arm';
import { cameraFrameSchema, cameraInfoSchema, cameraNameSchema, cameraSourceSchema } from '../camera';
import { resetSceneArgsSchema, sceneSummarySchema } from '../sim/sceneSummary';
import { policyInfoSchema, runStartArgsSchema, runStatusSchema } from '../policy/policyTypes';

const noArgs = z.object({}).strict().default({});

/** The whole API between the console's UI (or any client) and its services. */
export const coachContract = {
  methods: {
    'system.info': defineMethod({
      summary: 'Versions, inference providers and machine resources.',
      args: noArgs,
      result: systemInfoSchema,
    }),
    'settings.get': defineMethod({
      summary: 'The persisted settings, with defaults filled in.',
      args: noArgs,
      result: settingsSchema,
    }),
    'settings.update': defineMethod({
      summary: 'Merge a validated patch into the settings and persist them.',
      args: settingsPatchSchema.strict(),
      result: settingsSchema,
    }),
    'arm.ports': defineMethod({
      summary: 'Serial ports on this machine, marking the ones with the A1 USB id (0483:5740).',
      args: noArgs,
      result: z.array(serialPortInfoSchema),
    }),
    'arm.connect': defineMethod({
      summary: 'Open a link to the arm (sim, serial, tcp or rosbridge), replacing the current one. Nothing moves.',
      args: linkConfigSchema,
      result: armStateSchema,
    }),
    'arm.disconnect': defineMethod({ summary: 'Close the arm link.', args: noArgs, result: armStateSchema }),
    'arm.enable': defineMethod({
      summary: 'Enable the motors (function code 1).',
      args: noArgs,
      result: armStateSchema,
    }),
    'arm.disable': defineMethod({
      summary: 'Disable the motors (function code 2). The joints have no brakes: support the arm first.',
      args: noArgs,
      result: armStateSchema,
    }),
    'arm.clearError': defineMethod({
      summary: 'Clear motor errors (function code 4).',
      args: noArgs,
      result: armStateSchema,
    }),
    'arm.hold': defineMethod({
      summary: 'Stop (hold): stop all motion and hold the current position until released. Not an e-stop.',
      args: z
        .object({ reason: z.string().max(200).optional() })
        .strict()
        .default({}),
      result: armStateSchema,
    }),
    'arm.release': defineMethod({
      summary: 'Release a hold so motion commands are accepted again.',
      args: noArgs,
      result: armStateSchema,
    }),
    'arm.jog': defineMethod({
      summary: 'Move one motor by a small step, through the safety governor.',
      args: jogArgsSchema.strict(),
      result: armStateSchema,
    }),
    'camera.list': defineMethod({
      summary: 'The cameras, their sources, state, fps and the age of their newest frame.',
      args: noArgs,
      result: z.array(cameraInfoSchema),
    }),
    'camera.add': defineMethod({
      summary: 'Add a camera (V4L2 device, RTSP/HTTP stream, video file, or a view of the simulated bench).',
      args: z.object({ name: cameraNameSchema, source: cameraSourceSchema }).strict(),
      result: z.array(cameraInfoSchema),
    }),
    'camera.remove': defineMethod({
      summary: 'Stop and remove a camera.',
      args: z.object({ name: z.string() }).strict(),
      result: z.array(cameraInfoSchema),
    }),
    'camera.setPolicyCamera': defineMethod({
      summary: "Choose the camera the policy sees as its 'scene' image.",
      args: z.object({ name: z.string() }).strict(),
      result: z.array(cameraInfoSchema),
    }),
    'sim.scene': defineMethod({
      summary: "The simulated bench's scene: seed, task, objects and the task's success check (null without the sim).",
      args: noArgs,
      result: sceneSummarySchema.nullable(),
    }),
    'sim.resetScene': defineMethod({
      summary: 'Lay out a new scene from a seed and/or a task instruction.',
      args: resetSceneArgsSchema.default({}),
      result: sceneSummarySchema,
    }),
    'policy.info': defineMethod({
      summary: 'The loaded model package (null when none is loaded) and the execution provider it runs on.',
      args: noArgs,
      result: policyInfoSchema.nullable(),
    }),
    'policy.load': defineMethod({
      summary:
        'Load a model package folder (manifest.json, prefix.onnx, expert.onnx, tokenizer.json), validate and warm it up.',
      args: z.object({ path: z.string().min(1).max(4096) }).strict(),
      result: policyInfoSchema,
    }),
    'policy.unload': defineMethod({
      summary: 'Unload the model package (refused while an attempt runs).',
      args: noArgs,
      result: z.null(),
    }),
    'system.pickFolder': defineMethod({
      summary: 'Ask the operator for a folder with the desktop dialog (Electron); null where there is none (browser).',
      args: z
        .object({ title: z.string().max(200).default('Choose a folder') })
        .strict()
        .default({ title: 'Choose a folder' }),
      result: z.object({ supported: z.boolean(), path: z.string().nullable() }),
    }),
    'run.start': defineMethod({
      summary:
        'Start an attempt: the policy acts on the instruction until success, stop, timeout, max strokes or a fault.',
      args: runStartArgsSchema,
      result: runStatusSchema,
    }),
    'run.stop': defineMethod({
      summary: 'End the attempt now and hold the arm (Stop (hold) does the same from any view).',
      args: z
        .object({ reason: z.string().max(200).optional() })
        .strict()
        .default({}),
      result: runStatusSchema,
    }),
    'run.status': defineMethod({
      summary: 'The current or last attempt: phase, strokes, timings, outcome.',
      args: noArgs,
      result: runStatusSchema,
    }),
  },
  streams: {
    'system.health': defineStream({
      summary: 'Uptime, event-loop delay and memory of the main process, at 1 Hz.',
      args: noArgs,
      payload: systemHealthSchema,
    }),
    'camera.frames': defineStream({
      summary: "A camera's newest frames as JPEG, at most maxFps; a slow client gets the newest, never a queue.",
      args: z.object({ camera: z.string(), maxFps: z.number().min(1).max(60).default(30) }).strict(),
      payload: cameraFrameSchema,
    }),
    'camera.stats': defineStream({
      summary: 'Every camera with its state, fps and staleness, at 2 Hz.',
      args: noArgs,
      payload: z.array(cameraInfoSchema),
    }),
    'policy.info': defineStream({
      summary: 'The loaded model package (null when none), now and after every load, unload or worker failure.',
      args: noArgs,
      payload: policyInfoSchema.nullable(),
    }),
    'run.status': defineStream({
      summary:
        'The attempt as it runs: phase, strokes, inference time, the predicted chunk (on every change, ≤ 20 Hz).',
      args: noArgs,
      payload: runStatusSchema,
    }),
    'arm.state': defineStream({
      summary: 'Link, joints, gripper, faults and governor state of the arm, at 30 Hz.',
      args: noArgs,
      payload: armStateSchema,
    }),
  },
} as const;

export type CoachContract = typeof coachContract;
