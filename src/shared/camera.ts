import { z } from 'zod';

export const cameraSourceSchema = z.discriminatedUnion('kind', [
  /** Rendered from the simulated bench; view is a camera of the world ('scene' or 'wrist'). */
  z.object({ kind: z.literal('sim'), view: z.string().min(1) }),
  z.object({
    kind: z.literal('v4l2'),
    device: z.string().regex(/^\/dev\/video\d+$/, 'a V4L2 device looks like /dev/video0'),
    widthPx: z.number().int().min(16).max(4096).default(640),
    heightPx: z.number().int().min(16).max(4096).default(480),
    fps: z.number().min(1).max(120).default(30),
  }),
  z.object({
    kind: z.literal('url'),
    url: z.string().regex(/^(rtsp|rtsps|http|https):\/\//, 'rtsp:// or http(s):// URL'),
    /** The stream is scaled to this size. */
    widthPx: z.number().int().min(16).max(4096).default(640),
    heightPx: z.number().int().min(16).max(4096).default(480),
  }),
  z.object({
    kind: z.literal('file'),
    path: z.string().min(1),
    loop: z.boolean().default(true),
    widthPx: z.number().int().min(16).max(4096).default(640),
    heightPx: z.number().int().min(16).max(4096).default(480),
  }),
]);
export type CameraSource = z.infer<typeof cameraSourceSchema>;

export const cameraStateSchema = z.enum(['starting', 'live', 'stalled', 'failed', 'stopped']);

export const cameraInfoSchema = z.object({
  name: z.string(),
  source: cameraSourceSchema,
  /** The camera the policy sees (NORA-1.5 takes one "scene" image). */
  isPolicyCamera: z.boolean(),
  state: cameraStateSchema,
  fps: z.number().nonnegative(),
  /** Age of the newest frame; null before the first one. */
  lastFrameAgeMs: z.number().nonnegative().nullable(),
  widthPx: z.number().int().nonnegative(),
  heightPx: z.number().int().nonnegative(),
  framesPublished: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
});
export type CameraInfo = z.infer<typeof cameraInfoSchema>;

export const cameraFrameSchema = z.object({
  camera: z.string(),
  seq: z.number().int().nonnegative(),
  capturedAtMs: z.number(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  jpeg: z.instanceof(Uint8Array),
});
export type CameraFrame = z.infer<typeof cameraFrameSchema>;

export const cameraNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'camera names are 1–32 lower-case letters, digits, - or _');
