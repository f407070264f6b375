import { cameraSizes } from '../../shared/policy/modelManifest';
import type { PolicyInfo } from '../../shared/policy/policyTypes';
import type { PolicyRuntime } from './policyRuntime';

/** What the console shows of a loaded policy. */
export function describePolicy(runtime: PolicyRuntime): PolicyInfo {
  const { manifest, dir, parameterCount } = runtime.pkg;
  return {
    path: dir,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    trained: manifest.trained,
    actionSpace: manifest.action.space,
    chunkLength: manifest.action.chunkLength,
    actionDims: manifest.action.dims,
    actionNames: manifest.action.names,
    flowSteps: manifest.flow.steps,
    controlRateHz: manifest.control.rateHz,
    cameras: cameraSizes(manifest.cameras),
    prefixOutputs: manifest.prefix.outputs,
    parameterCount,
    provider: runtime.provider,
    providerNote: runtime.providerNote,
    loadMs: runtime.loadMs,
    warmupMs: runtime.warmupMs,
    manifest: manifest as unknown as Record<string, unknown>,
  };
}
