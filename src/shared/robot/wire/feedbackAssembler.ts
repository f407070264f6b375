import { MOTOR_COUNT } from '../a1Spec';
import type { MotorFeedback } from './frames';

/**
 * Merges the firmware's 3-motor and 4-motor feedback packets into one
 * 7-motor state. A state is emitted once every motor id has been heard since
 * the last one; a repeated id before that (a lost packet) replaces the older value.
 */
export class FeedbackAssembler {
  private partial = new Map<number, MotorFeedback>();
  /** Packets holding an id outside 1..7; they are ignored. */
  unknownMotorPackets = 0;
  /** Cycles where an id repeated before all seven were heard (a packet was lost). */
  incompleteCycles = 0;

  push(motors: readonly MotorFeedback[]): MotorFeedback[] | null {
    if (motors.some((motor) => motor.motorId < 1 || motor.motorId > MOTOR_COUNT)) {
      this.unknownMotorPackets += 1;
      return null;
    }
    if (motors.some((motor) => this.partial.has(motor.motorId))) this.incompleteCycles += 1;
    for (const motor of motors) this.partial.set(motor.motorId, motor);
    if (this.partial.size < MOTOR_COUNT) return null;
    const state = [...this.partial.values()].sort((a, b) => a.motorId - b.motorId);
    this.partial = new Map();
    return state;
  }
}
