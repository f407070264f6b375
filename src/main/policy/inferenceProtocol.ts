import type { CoachErrorShape } from '../../shared/contract/errors';
import type { ExecutionProvider } from '../../shared/system';
import type { InferenceOptions, InferenceResult, PolicyObservation } from './policyRuntime';

/** Messages to the inference worker; each gets one reply with the same id. */
export type InferenceWorkerRequest =
  | { id: number; op: 'load'; dir: string; providers?: ExecutionProvider[] }
  | { id: number; op: 'infer'; observation: PolicyObservation; options: InferenceOptions }
  | { id: number; op: 'unload' }
  /** Benchmark probe: the bare graphs on this observation (prefix + flow steps), session.run time only, ms. */
  | { id: number; op: 'timeSessions'; observation: PolicyObservation; candidates: number };

export type InferenceWorkerReply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: CoachErrorShape };

export type { InferenceResult };
