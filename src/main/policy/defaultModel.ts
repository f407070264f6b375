import path from 'node:path';

/** The model package Coach ships and loads when the operator has chosen none. */
export const DEFAULT_MODEL_DIR = 'resources/models/coach-tiny';

export function defaultModelPath(appRoot: string): string {
  return path.join(appRoot, DEFAULT_MODEL_DIR);
}
