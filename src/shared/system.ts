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

/** Below this much free space on a disk Coach writes to, the console warns (recording fills a disk quickly). */
export const LOW_DISK_SPACE_BYTES = 2 * 1024 ** 3;

export const diskFolderRoleSchema = z.enum(['data', 'recordings']);
export type DiskFolderRole = z.infer<typeof diskFolderRoleSchema>;

/** Free space on the disk (file system) holding one of the folders Coach writes to. */
export const diskSpaceSchema = z.object({
  /** data: the data folder (settings, model versions); recordings: where episodes are recorded. */
  role: diskFolderRoleSchema,
  /** The folder, as configured (absolute). */
  path: z.string(),
  /** Bytes Coach may still write there (what an unprivileged process may use, not the root reserve). */
  freeBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  /** Why the disk could not be read (freeBytes and totalBytes are then 0); null when it was. */
  error: z.string().nullable(),
  /** Wall-clock time of the reading, milliseconds since the Unix epoch. */
  sampledAtMs: z.number(),
});
export type DiskSpace = z.infer<typeof diskSpaceSchema>;

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
  /**
   * Free space of the disks holding the data and recordings folders, read every few seconds. Absent from an older
   * main process, and from samples taken before the first reading.
   */
  disks: z.array(diskSpaceSchema).optional(),
});
export type SystemHealth = z.infer<typeof systemHealthSchema>;
