import { z } from 'zod';
import { defineMethod, defineStream } from './define';
import { systemHealthSchema, systemInfoSchema } from '../system';
import { settingsPatchSchema, settingsSchema } from '../settings';
import { armStateSchema, jogArgsSchema, linkConfigSchema, serialPortInfoSchema } from '../arm';
import { cameraFrameSchema, cameraInfoSchema, cameraNameSchema, cameraSourceSchema } from '../camera';
import { resetSceneArgsSchema, sceneSummarySchema } from '../sim/sceneSummary';
import { armSamplesSchema } from '../robot/armSamples';
import { policyInfoSchema, runStartArgsSchema, runStatusSchema } from '../policy/policyTypes';
import { demonstrationTrainingRequestSchema, trainingJobSchema } from '../training/trainingJobTypes';
import {
  evaluationProgressSchema,
  evaluationReportSchema,
  evaluationRequestSchema,
} from '../evaluation/evaluationTypes';
import {
  episodeCountsSchema,
  episodeEventSchema,
  episodeFilterSchema,
  episodeFrameSchema,
  episodeLabelSchema,
  episodeReplaySchema,
  episodeSummarySchema,
  exportProgressSchema,
  exportRequestSchema,
} from '../episodes/episodeTypes';
import { modelVersionSchema } from '../models/modelVersionTypes';
import { PAIR_STATUSES, pairFilterSchema, pairSummarySchema, preferencePairSchema } from '../refine/pairTypes';
import { refineJobSchema, refineRequestSchema } from '../refine/refineTypes';

const noArgs = z.object({}).strict().default({});
const episodeId = z.number().int().positive();
const episodeIds = z.array(episodeId).min(1).max(100_000);
const filterArg = episodeFilterSchema.default({});

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
    'episodes.list': defineMethod({
      summary: 'Recorded episodes matching a filter, newest first, one page at a time, with the total.',
      args: z
        .object({
          filter: filterArg,
          limit: z.number().int().min(1).max(1000).default(200),
          offset: z.number().int().min(0).default(0),
        })
        .strict(),
      result: z.object({ episodes: z.array(episodeSummarySchema), total: z.number().int() }),
    }),
    'episodes.counts': defineMethod({
      summary: 'Counts for dashboards: by outcome, label, task and model version.',
      args: z.object({ filter: filterArg }).strict(),
      result: episodeCountsSchema,
    }),
    'episodes.get': defineMethod({
      summary: 'One episode.',
      args: z.object({ id: episodeId }).strict(),
      result: episodeSummarySchema,
    }),
    'episodes.label': defineMethod({
      summary: 'Label episodes good, bad or unsure (null clears the label).',
      args: z.object({ ids: episodeIds, label: episodeLabelSchema.nullable() }).strict(),
      result: z.array(episodeSummarySchema),
    }),
    'episodes.setNote': defineMethod({
      summary: "An episode's free-text note.",
      args: z.object({ id: episodeId, note: z.string().max(4000) }).strict(),
      result: episodeSummarySchema,
    }),
    'episodes.setExcluded': defineMethod({
      summary: 'Mark episodes "exclude from training" (kept, not deleted), or include them again.',
      args: z.object({ ids: episodeIds, excluded: z.boolean() }).strict(),
      result: z.array(episodeSummarySchema),
    }),
    'episodes.addMark': defineMethod({
      summary: 'Mark a time range of an episode, e.g. bad from 3.2 s to 5.0 s: grasped the eggplant.',
      args: z
        .object({
          id: episodeId,
          startS: z.number().nonnegative(),
          endS: z.number().nonnegative(),
          label: episodeLabelSchema,
          note: z.string().max(2000).default(''),
        })
        .strict(),
      result: episodeSummarySchema,
    }),
    'episodes.removeMark': defineMethod({
      summary: 'Remove a time-range mark.',
      args: z.object({ id: episodeId, markId: z.number().int().positive() }).strict(),
      result: episodeSummarySchema,
    }),
    'episodes.delete': defineMethod({
      summary: 'Delete episodes; undoable until Coach closes (their files go when it does).',
      args: z.object({ ids: episodeIds }).strict(),
      result: z.object({ deleted: z.array(z.number().int()) }),
    }),
    'episodes.undoDelete': defineMethod({
      summary: 'Bring back the episodes of the last delete.',
      args: noArgs,
      result: z.object({ restored: z.array(z.number().int()) }),
    }),
    'episodes.replay': defineMethod({
      summary: "An episode's steps, stroke boundaries, joint samples and frame times, for the replay view.",
      args: z.object({ id: episodeId }).strict(),
      result: episodeReplaySchema,
    }),
    'episodes.frame': defineMethod({
      summary: 'One recorded camera frame (JPEG).',
      args: z.object({ id: episodeId, camera: z.string(), index: z.number().int().nonnegative() }).strict(),
      result: episodeFrameSchema,
    }),
    'episodes.startManual': defineMethod({
      summary: 'Start recording a manual (jogging) session.',
      args: z.object({ instruction: z.string().trim().min(1).max(300).default('manual session') }).strict(),
      result: episodeSummarySchema,
    }),
    'episodes.stopManual': defineMethod({
      summary: 'Stop recording the manual session.',
      args: noArgs,
      result: episodeSummarySchema,
    }),
    'export.start': defineMethod({
      summary:
        'Export episodes (LeRobot v2.1, LeRobot v3.0 or JSONL + CSV) into an empty folder; progress on export.progress.',
      args: exportRequestSchema,
      result: exportProgressSchema,
    }),
    'export.cancel': defineMethod({
      summary: 'Cancel the running export; its partial output is removed, the episodes are untouched.',
      args: z.object({ jobId: z.number().int().positive() }).strict(),
      result: exportProgressSchema,
    }),
    'export.codecs': defineMethod({
      summary: 'The video encoders ffmpeg offers here.',
      args: noArgs,
      result: z.object({ ffmpeg: z.string().nullable(), h264: z.boolean(), av1: z.boolean() }),
    }),
    'eval.start': defineMethod({
      summary:
        'Evaluate a model package in the sim on held-out scenes (success with 95 % intervals, strokes, distractor grasps); progress on eval.progress.',
      args: evaluationRequestSchema.extend({ modelPath: z.string().min(1).optional() }),
      result: evaluationProgressSchema,
    }),
    'eval.cancel': defineMethod({
      summary: 'Cancel the running evaluation.',
      args: z.object({ jobId: z.number().int().positive() }).strict(),
      result: evaluationProgressSchema,
    }),
    'eval.list': defineMethod({
      summary: 'Stored evaluations, newest first (of one model name when given).',
      args: z.object({ modelName: z.string().optional() }).strict(),
      result: z.array(evaluationReportSchema),
    }),
    'training.jobs': defineMethod({
      summary: 'Training jobs of this session, newest first, with their progress and loss curves.',
      args: noArgs,
      result: z.array(trainingJobSchema),
    }),
    'training.startDemonstrations': defineMethod({
      summary:
        'Behaviour cloning of a model on fresh scripted-expert demonstrations (training seeds); writes a new model version.',
      args: demonstrationTrainingRequestSchema,
      result: trainingJobSchema,
    }),
    'training.cancel': defineMethod({
      summary: 'Cancel a training job; the model in use is untouched and nothing partial is written.',
      args: z.object({ jobId: z.number().int().positive() }).strict(),
      result: trainingJobSchema,
    }),
    'pairs.summary': defineMethod({
      summary: 'Preference pairs in the catalog: how many, how many eligible, by source, status and task.',
      args: noArgs,
      result: pairSummarySchema,
    }),
    'pairs.list': defineMethod({
      summary: 'Preference pairs matching a filter, newest first.',
      args: z.object({ filter: pairFilterSchema.default({}) }).strict(),
      result: z.array(preferencePairSchema),
    }),
    'pairs.setStatus': defineMethod({
      summary: 'Review pairs: keep (active), flip chosen and rejected, or discard.',
      args: z
        .object({ ids: z.array(z.number().int().positive()).min(1).max(100_000), status: z.enum(PAIR_STATUSES) })
        .strict(),
      result: z.object({ changed: z.number().int() }),
    }),
    'refine.start': defineMethod({
      summary:
        'Refine policy: build pairs from labelled episodes, DPO on the model in use, evaluate before/after on the same held-out seeds; progress on refine.status.',
      args: refineRequestSchema,
      result: refineJobSchema,
    }),
    'refine.cancel': defineMethod({
      summary: 'Cancel the refinement; the model in use is untouched and the unfinished version is removed.',
      args: z.object({ jobId: z.number().int().positive() }).strict(),
      result: refineJobSchema,
    }),
    'refine.promote': defineMethod({
      summary: 'Make the refined version the one in use (the next attempts use it).',
      args: z.object({ jobId: z.number().int().positive() }).strict(),
      result: refineJobSchema,
    }),
    'refine.discard': defineMethod({
      summary: 'Keep the model in use; the refined version is marked discarded.',
      args: z.object({ jobId: z.number().int().positive() }).strict(),
      result: refineJobSchema,
    }),
    'models.list': defineMethod({
      summary: 'Model versions with their lineage (parent, pairs, hyper-parameters, curves, evaluation), newest first.',
      args: noArgs,
      result: z.array(modelVersionSchema),
    }),
    'models.promote': defineMethod({
      summary: 'Load a model version and make it the one in use.',
      args: z.object({ id: z.string().min(1) }).strict(),
      result: modelVersionSchema,
    }),
    'models.rollback': defineMethod({
      summary: 'Go back to the version promoted before the one in use.',
      args: noArgs,
      result: modelVersionSchema,
    }),
    'models.export': defineMethod({
      summary: "Copy a version's package folder (with its lineage.json) into an empty or new folder.",
      args: z.object({ id: z.string().min(1), dir: z.string().min(1) }).strict(),
      result: z.object({ path: z.string() }),
    }),
    'models.delete': defineMethod({
      summary: 'Delete a model version (never the one in use); folders Coach made are removed.',
      args: z.object({ id: z.string().min(1) }).strict(),
      result: z.object({ deleted: z.string() }),
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
    'episodes.events': defineStream({
      summary: 'Catalog changes: recording started or ended, labels edited, deletes and undos, recoveries.',
      args: noArgs,
      payload: episodeEventSchema,
    }),
    'export.progress': defineStream({
      summary: 'The running (or last) export: phase, episodes done, frames encoded, result.',
      args: noArgs,
      payload: exportProgressSchema.nullable(),
    }),
    'eval.progress': defineStream({
      summary: 'The running (or last) evaluation: attempts done, successes, the report when done.',
      args: noArgs,
      payload: evaluationProgressSchema.nullable(),
    }),
    'training.jobs': defineStream({
      summary: 'The training jobs whenever one changes (at most 4 times a second while training).',
      args: noArgs,
      payload: z.array(trainingJobSchema),
    }),
    'refine.status': defineStream({
      summary: 'The refinement in progress (or the last): phase, pairs, DPO curves, evaluation, comparison.',
      args: noArgs,
      payload: refineJobSchema.nullable(),
    }),
    'arm.state': defineStream({
      summary: 'Link, joints, gripper, faults and governor state of the arm, at 30 Hz.',
      args: noArgs,
      payload: armStateSchema,
    }),
    'arm.samples': defineStream({
      summary:
        'Every arm feedback sample (~200 Hz) in columnar batches every 50 ms: positions, velocities, governor setpoints, gripper stroke.',
      args: noArgs,
      payload: armSamplesSchema,
    }),
  },
} as const;

export type CoachContract = typeof coachContract;
