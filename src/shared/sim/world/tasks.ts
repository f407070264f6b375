import type { ObjectKind, WorldObject } from '../worldTypes';
import { CONTAINER_KINDS, GRASPABLE_KINDS, OBJECT_CATALOG, kindFromName } from './objectCatalog';
import type { SeededRandom } from './random';

export const TASK_TEMPLATES = ['put_in', 'pick_up', 'move_near'] as const;
export type TaskTemplate = (typeof TASK_TEMPLATES)[number];

export type Task =
  | { template: 'put_in'; objectKind: ObjectKind; containerKind: ObjectKind; preposition: 'in' | 'on' }
  | { template: 'pick_up'; objectKind: ObjectKind }
  | { template: 'move_near'; objectKind: ObjectKind; targetKind: ObjectKind };

export interface TaskStatus {
  success: boolean;
  reason: string;
}

/** "pick up": the held object's bottom must be this far above the table. */
export const PICK_UP_MIN_LIFT_M = 0.05;
/** "move near": centre-to-centre distance, horizontally. */
export const NEAR_MAX_DISTANCE_M = 0.1;

const nameOf = (kind: ObjectKind) => OBJECT_CATALOG[kind].name;
const list = (kinds: readonly ObjectKind[]) => kinds.map(nameOf).join(', ');

export const SUPPORTED_INSTRUCTIONS =
  `supported instructions: "put the <object> in the <container>" (or "on the plate"), ` +
  `"pick up the <object>", "move the <object> near the <other object>"; ` +
  `objects: ${list(GRASPABLE_KINDS)}; containers: ${list(CONTAINER_KINDS)}`;

export class InstructionError extends Error {
  override name = 'InstructionError';
}

export function instructionFor(task: Task): string {
  switch (task.template) {
    case 'put_in':
      return `put the ${nameOf(task.objectKind)} ${task.preposition} the ${nameOf(task.containerKind)}`;
    case 'pick_up':
      return `pick up the ${nameOf(task.objectKind)}`;
    case 'move_near':
      return `move the ${nameOf(task.objectKind)} near the ${nameOf(task.targetKind)}`;
  }
}

/** The kinds the task names, the object to grasp first. */
export function taskObjectKinds(task: Task): ObjectKind[] {
  switch (task.template) {
    case 'put_in':
      return [task.objectKind, task.containerKind];
    case 'pick_up':
      return [task.objectKind];
    case 'move_near':
      return [task.objectKind, task.targetKind];
  }
}

export type ParseResult = { ok: true; task: Task } | { ok: false; reason: string };

const PUT = /^(?:put|place) (?:the )?(.+?) (in|into|inside|on|onto) (?:the )?(.+)$/;
const PICK_UP = /^pick up (?:the )?(.+)$/;
const PICK_UP_AFTER = /^pick (?:the )?(.+) up$/;
const MOVE_NEAR = /^move (?:the )?(.+?) (?:near|next to|close to) (?:the )?(.+)$/;

/** Reads an instruction (any case and spacing, "soda bottle" or "soda_bottle") back into a task. */
export function parseInstruction(text: string): ParseResult {
  const normalised = text
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!]+$/, '')
    .trim();
  const refuse = (problem: string): ParseResult => ({
    ok: false,
    reason: `cannot run "${text.trim()}": ${problem}; ${SUPPORTED_INSTRUCTIONS}`,
  });
  const graspable = (name: string): ObjectKind | string => {
    const kind = kindFromName(name);
    if (!kind) return `unknown object "${name}"`;
    if (!OBJECT_CATALOG[kind].isGraspable) return `the ${nameOf(kind)} cannot be picked up`;
    return kind;
  };
  const isKind = (value: string): value is ObjectKind => kindFromName(value) === value;

  const put = PUT.exec(normalised);
  if (put) {
    const object = graspable(put[1]!);
    if (!isKind(object)) return refuse(object);
    const container = kindFromName(put[3]!);
    if (!container) return refuse(`unknown container "${put[3]}"`);
    if (!OBJECT_CATALOG[container].isContainer) return refuse(`the ${nameOf(container)} is not a container`);
    const preposition = put[2] === 'on' || put[2] === 'onto' ? 'on' : 'in';
    return { ok: true, task: { template: 'put_in', objectKind: object, containerKind: container, preposition } };
  }
  const pick = PICK_UP.exec(normalised) ?? PICK_UP_AFTER.exec(normalised);
  if (pick) {
    const object = graspable(pick[1]!);
    if (!isKind(object)) return refuse(object);
    return { ok: true, task: { template: 'pick_up', objectKind: object } };
  }
  const move = MOVE_NEAR.exec(normalised);
  if (move) {
    const object = graspable(move[1]!);
    if (!isKind(object)) return refuse(object);
    const target = kindFromName(move[2]!);
    if (!target) return refuse(`unknown object "${move[2]}"`);
    if (OBJECT_CATALOG[target].isContainer) {
      return refuse(
        `to put something in the ${nameOf(target)}, say "put the ${nameOf(object)} in the ${nameOf(target)}"`,
      );
    }
    if (target === object) return refuse('the two objects must differ');
    return { ok: true, task: { template: 'move_near', objectKind: object, targetKind: target } };
  }
  return refuse('not a known instruction');
}

/** Like parseInstruction, but throws an InstructionError with the reason. */
export function requireTask(text: string): Task {
  const parsed = parseInstruction(text);
  if (!parsed.ok) throw new InstructionError(parsed.reason);
  return parsed.task;
}

/** A random task of the given template (or of any). The plate is phrased "on", the bowl "in". */
export function sampleTask(random: SeededRandom, template?: TaskTemplate): Task {
  const chosen = template ?? random.pick(TASK_TEMPLATES);
  const objectKind = random.pick(GRASPABLE_KINDS);
  switch (chosen) {
    case 'put_in': {
      const containerKind = random.pick(CONTAINER_KINDS);
      return { template: 'put_in', objectKind, containerKind, preposition: containerKind === 'plate' ? 'on' : 'in' };
    }
    case 'pick_up':
      return { template: 'pick_up', objectKind };
    case 'move_near':
      return {
        template: 'move_near',
        objectKind,
        targetKind: random.pick(GRASPABLE_KINDS.filter((kind) => kind !== objectKind)),
      };
  }
}

const cm = (m: number) => `${(m * 100).toFixed(1)} cm`;

function whereIs(object: WorldObject, objects: readonly WorldObject[]): string {
  if (object.grasped) return 'it is still held';
  const container = object.insideId && objects.find((other) => other.id === object.insideId);
  return container ? `it is in the ${nameOf(container.kind)}` : 'it is on the table';
}

/** Whether the objects satisfy the task, and why (or why not) in words. */
export function checkTask(task: Task, objects: readonly WorldObject[]): TaskStatus {
  const find = (kind: ObjectKind) => objects.find((object) => object.kind === kind);
  const object = find(task.objectKind);
  if (!object) return { success: false, reason: `there is no ${nameOf(task.objectKind)} in the scene` };
  const name = nameOf(object.kind);
  switch (task.template) {
    case 'put_in': {
      const container = find(task.containerKind);
      if (!container) return { success: false, reason: `there is no ${nameOf(task.containerKind)} in the scene` };
      const where = `${task.preposition} the ${nameOf(container.kind)}`;
      if (object.insideId === container.id && !object.grasped) {
        return { success: true, reason: `the ${name} rests ${where}` };
      }
      const distanceM = Math.hypot(
        object.positionM[0] - container.positionM[0],
        object.positionM[1] - container.positionM[1],
      );
      return {
        success: false,
        reason: `the ${name} is not ${where}: ${whereIs(object, objects)}, ${cm(distanceM)} from its centre`,
      };
    }
    case 'pick_up': {
      const liftM = object.positionM[2];
      if (object.grasped && liftM >= PICK_UP_MIN_LIFT_M) {
        return { success: true, reason: `the ${name} is held ${cm(liftM)} above the table` };
      }
      if (!object.grasped) return { success: false, reason: `the ${name} is not held: ${whereIs(object, objects)}` };
      return {
        success: false,
        reason: `the ${name} is held but only ${cm(liftM)} above the table (needs ${cm(PICK_UP_MIN_LIFT_M)})`,
      };
    }
    case 'move_near': {
      const target = find(task.targetKind);
      if (!target) return { success: false, reason: `there is no ${nameOf(task.targetKind)} in the scene` };
      const distanceM = Math.hypot(
        object.positionM[0] - target.positionM[0],
        object.positionM[1] - target.positionM[1],
      );
      const near = distanceM <= NEAR_MAX_DISTANCE_M;
      const targetName = nameOf(target.kind);
      if (near && !object.grasped) {
        return { success: true, reason: `the ${name} rests ${cm(distanceM)} from the ${targetName}` };
      }
      if (object.grasped)
        return { success: false, reason: `the ${name} is still held, ${cm(distanceM)} from the ${targetName}` };
      return {
        success: false,
        reason: `the ${name} is ${cm(distanceM)} from the ${targetName} (needs ≤ ${cm(NEAR_MAX_DISTANCE_M)})`,
      };
    }
  }
}
