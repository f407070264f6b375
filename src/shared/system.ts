import { z } from 'zod';

export const executionProviderSchema = z.enum(['cpu', 'cuda', 'dml', 'coreml', 'webgpu', 'tensorrt']);
export type ExecutionProvider = z.infer<typeof executionProviderSchema>;

export const onnxRuntimeInfoSchema = z.object({
  /** onnxruntime-node's version, or null where it failed to load. */
  version: z.string().nullable(),
  /** Providers that created a session on this machine, best first. */
  usableProviders: z.array(executionProviderSchema),
  /** The provider Coach will use for inference. */
  preferredProvider: executionProviderSchema.nullable(),
  /** Why a provider compiled into the binding is not usable here (missing CUDA libraries, …). */
  unavailable: z.array(z.object({ provider: z.string(), reason: z.string() })),
  loadError: z.string().nullable(),
});
export type OnnxRuntimeInfo = z.infer<typeof onnxRuntimeInfoSchema>;

export const systemInfoSchema = z.object({
  app: z.object({ name: z.string(), version: z.string() }),
  runtime: z.object({
    node: z.string(),
    /** Present when main runs inside Electron. */
    electron: z.string().nullable(),
    chromium: z.string().nullable(),
    v8: z.string(),
  }),
  host: z.enum(['electron', 'headless', 'cli', 'test']),
  onnxRuntime: onnxRuntimeInfoSchema,
  machine: z.object({
    platform: z.string(),
    arch: z.string(),
    cpuModel: z.string(),
    cpuCount: z.number().int().nonnegative(),
    totalMemoryBytes: z.number().nonnegative(),
    freeMemoryBytes: z.number().nonnegative(),
    hostname: z.string(),
  }),
  dataDir: z.string(),
});
export type SystemInfo = z.infer<typeof systemInfoSchema>;

export const systemHealthSchema = z.object({
  /** Wall-clock time of the sample, milliseconds since the Unix epoch. */
  sampledAtMs: z.number(),
  uptimeS: z.number().nonnegative(),
  eventLoopDelayMeanMs: z.number().nonnegative(),
  eventLoopDelayP99Ms: z.number().nonnegative(),
  eventLoopDelayMaxMs: z.number().nonnegative(),
  rssBytes: z.number().nonnegative(),
  heapUsedBytes: z.number().nonnegative(),
  cpuPercent: z.number().nonnegative(),
});
export type SystemHealth = z.infer<typeof systemHealthSchema>;
