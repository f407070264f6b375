import { CoachError } from '../../../shared/contract/errors';

/** A training job refused or stopped, with a code the console can act on. */
export class TrainingError extends CoachError {
  constructor(
    code:
      | 'training_invalid_options'
      | 'training_invalid_data'
      | 'training_unsupported_graph'
      | 'training_checkpoint_mismatch'
      | 'training_output_exists'
      // The DPO trainer's (src/main/training/dpo/):
      | 'training_no_pairs'
      | 'training_action_space_mismatch'
      | 'training_invalid_package'
      | 'training_diverged',
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = 'TrainingError';
  }
}

/** The job's AbortSignal fired: training stopped between two steps and wrote no package. */
export class TrainingCancelledError extends CoachError {
  constructor(readonly step: number) {
    super('training_cancelled', `training was cancelled after step ${step}; no package was written`, { step });
    this.name = 'TrainingCancelledError';
  }
}
