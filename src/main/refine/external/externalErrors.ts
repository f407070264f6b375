import { CoachError } from '../../../shared/contract/errors';

/** Why a pairs dataset could not be written; whatever it had written is already removed. */
export class PairsDatasetError extends CoachError {
  constructor(
    code: 'pairs_dataset_invalid' | 'pairs_dataset_write_failed' | 'pairs_dataset_cancelled',
    message: string,
    details?: unknown,
  ) {
    super(code, message, details);
    this.name = 'PairsDatasetError';
  }
}

/** How an external training run failed (docs/refine.md, "External trainer"). */
export type ExternalTrainerFailure =
  | 'invalid_options'
  | 'command_not_found'
  | 'exit_code'
  | 'reported_error'
  | 'no_done_event'
  | 'timed_out'
  | 'cancelled'
  | 'package_invalid'
  | 'action_space_mismatch';

/** An external training run that failed or was cancelled; `details.reason` says which, `details.stderrTail` what it printed. */
export class ExternalTrainerError extends CoachError {
  constructor(
    readonly reason: ExternalTrainerFailure,
    message: string,
    readonly stderrTail: string = '',
  ) {
    super(reason === 'cancelled' ? 'external_trainer_cancelled' : 'external_trainer_failed', message, {
      reason,
      stderrTail,
    });
    this.name = 'ExternalTrainerError';
  }
}
