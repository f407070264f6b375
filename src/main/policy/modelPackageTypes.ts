import { CoachError } from '../../shared/contract/errors';
import type { ModelManifest } from '../../shared/policy/modelManifest';

/** A model package folder that passed validation: its manifest, its files and what they hold. */
export interface LoadedModelPackage {
  /** Absolute path of the package folder. */
  dir: string;
  manifest: ModelManifest;
  prefixPath: string;
  expertPath: string;
  tokenizerPath: string;
  /** The parsed tokenizer.json (Hugging Face format). */
  tokenizerJson: Record<string, unknown>;
  /** tokenizer_config.json beside it, when present. */
  tokenizerConfig: Record<string, unknown> | null;
  /** Weights in both graphs (elements of all initializers). */
  parameterCount: number;
}

/** A package Coach refuses, with the file at fault and what is wrong with it. */
export class ModelPackageError extends CoachError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super('model_package_invalid', `${file}: ${problem}`, { file, problem });
    this.name = 'ModelPackageError';
  }
}
