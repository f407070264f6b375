import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  composePoses,
  IDENTITY_MAT3,
  matrixToRpy,
  poseFromXyzRpy,
  type KinematicChain,
  type Pose,
  type RevoluteJoint,
  type Vec3,
} from '../../../shared/robot/kinematics';

export class UrdfError extends Error {
  override name = 'UrdfError';
}

export interface UrdfChainOptions {
  baseLink?: string;
  tipLink?: string;
}

type XmlNode = Record<string, unknown>;

interface UrdfJoint {
  name: string;
  type: string;
  parentLink: string;
  childLink: string;
  origin: Pose;
  originXyzM: Vec3;
  originRpyRad: Vec3;
  node: XmlNode;
}

/** Where the shipped A1 URDF lives under the application root. */
export function defaultUrdfPath(appRoot: string): string {
  return path.join(appRoot, 'resources/a1/a1.urdf');
}

export async function loadUrdfChain(filePath: string, options?: UrdfChainOptions): Promise<KinematicChain> {
  const fileName = path.basename(filePath);
  let xml: string;
  try {
    xml = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new UrdfError(`${fileName}: cannot be read (${(error as Error).message})`);
  }
  return parseUrdfChain(xml, fileName, options);
}

/**
 * Builds the chain from baseLink to tipLink (default base_link → tcp). Fixed joints between
 * revolute ones are folded into the next revolute joint's origin; those after the last
 * revolute joint make up tcpFromLastJoint.
 */
export function parseUrdfChain(xml: string, fileName: string, options: UrdfChainOptions = {}): KinematicChain {
  const baseLink = options.baseLink ?? 'base_link';
  const tipLink = options.tipLink ?? 'tcp';
  const fail = (problem: string): never => {
    throw new UrdfError(`${fileName}: ${problem}`);
  };

  const validation = XMLValidator.validate(xml);
  if (validation !== true) fail(`not well-formed XML (line ${validation.err.line}: ${validation.err.msg})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    isArray: (tagName) => tagName === 'link' || tagName === 'joint',
  });
  const robot = asNode((parser.parse(xml) as XmlNode)['robot']);
  if (!robot) return fail('no <robot> element');

  const linkNames = new Set(asNodes(robot['link']).map((link) => attribute(link, 'name')));
  const joints = asNodes(robot['joint']).map((node) => readJoint(node, fail));
  const jointByChild = new Map<string, UrdfJoint>();
  for (const joint of joints) {
    if (jointByChild.has(joint.childLink)) fail(`link ${joint.childLink} is the child of more than one joint`);
    jointByChild.set(joint.childLink, joint);
  }
  for (const link of [baseLink, tipLink]) if (!linkNames.has(link)) fail(`no link named ${link}`);

  const chainJoints: UrdfJoint[] = [];
  for (let link = tipLink; link !== baseLink;) {
    const joint = jointByChild.get(link);
    if (!joint || chainJoints.includes(joint)) return fail(`link ${tipLink} is not connected to ${baseLink}`);
    chainJoints.unshift(joint);
    link = joint.parentLink;
  }

  const revolute: RevoluteJoint[] = [];
  let pending: { parentLink: string; pose: Pose } | null = null;
  for (const joint of chainJoints) {
    if (joint.type === 'fixed') {
      pending = pending
        ? { parentLink: pending.parentLink, pose: composePoses(pending.pose, joint.origin) }
        : { parentLink: joint.parentLink, pose: joint.origin };
    } else if (joint.type === 'revolute') {
      const built = revoluteJoint(joint, fail);
      const folded = pending && composePoses(pending.pose, joint.origin);
      revolute.push(
        pending && folded
          ? {
              ...built,
              parentLink: pending.parentLink,
              originXyzM: folded.positionM,
              originRpyRad: matrixToRpy(folded.rotation),
            }
          : built,
      );
      pending = null;
    } else {
      fail(`joint ${joint.name} is ${joint.type}; only revolute and fixed joints are supported`);
    }
  }
  if (revolute.length === 0) fail(`no revolute joints between ${baseLink} and ${tipLink}`);
  return {
    baseLink,
    joints: revolute,
    tcpFromLastJoint: pending?.pose ?? { positionM: [0, 0, 0], rotation: IDENTITY_MAT3 },
  };
}

function readJoint(node: XmlNode, fail: (problem: string) => never): UrdfJoint {
  const name = attribute(node, 'name') ?? fail('a <joint> has no name');
  const type = attribute(node, 'type') ?? fail(`joint ${name} has no type`);
  for (const tag of ['parent', 'child', 'origin', 'axis', 'limit']) {
    if (Array.isArray(node[tag])) fail(`joint ${name} has more than one <${tag}>`);
  }
  const parentLink = attribute(asNode(node['parent']), 'link') ?? fail(`joint ${name} has no <parent link="…">`);
  const childLink = attribute(asNode(node['child']), 'link') ?? fail(`joint ${name} has no <child link="…">`);
  const originNode = asNode(node['origin']);
  const originXyzM = parseVec3(attribute(originNode, 'xyz') ?? '0 0 0', `joint ${name} <origin xyz>`, fail);
  const originRpyRad = parseVec3(attribute(originNode, 'rpy') ?? '0 0 0', `joint ${name} <origin rpy>`, fail);
  const origin = poseFromXyzRpy(originXyzM, originRpyRad);
  return { name, type, parentLink, childLink, origin, originXyzM, originRpyRad, node };
}

function revoluteJoint(joint: UrdfJoint, fail: (problem: string) => never): RevoluteJoint {
  // URDF's default axis is x.
  const axis = parseVec3(attribute(asNode(joint.node['axis']), 'xyz') ?? '1 0 0', `joint ${joint.name} <axis>`, fail);
  if (axis.every((value) => value === 0)) fail(`joint ${joint.name} has a zero <axis>`);
  const limit = asNode(joint.node['limit']) ?? fail(`joint ${joint.name} has no <limit>`);
  const limitValue = (key: string) => {
    const text = attribute(limit, key) ?? fail(`joint ${joint.name} <limit> has no ${key}`);
    const value = Number(text);
    return Number.isFinite(value) && text.trim() !== ''
      ? value
      : fail(`joint ${joint.name} <limit ${key}="${text}"> is not a number`);
  };
  const lowerRad = limitValue('lower');
  const upperRad = limitValue('upper');
  if (lowerRad > upperRad) fail(`joint ${joint.name} <limit> has lower ${lowerRad} above upper ${upperRad}`);
  return {
    name: joint.name,
    parentLink: joint.parentLink,
    childLink: joint.childLink,
    originXyzM: joint.originXyzM,
    originRpyRad: joint.originRpyRad,
    axis,
    lowerRad,
    upperRad,
    velocityRadS: limitValue('velocity'),
    effortNm: limitValue('effort'),
  };
}

function parseVec3(text: string, what: string, fail: (problem: string) => never): Vec3 {
  const parts = text.trim().split(/\s+/);
  const values = parts.map(Number);
  if (parts.length !== 3 || !values.every(Number.isFinite)) fail(`${what} "${text}" is not three numbers`);
  return [values[0]!, values[1]!, values[2]!];
}

function asNode(value: unknown): XmlNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as XmlNode) : undefined;
}

function asNodes(value: unknown): XmlNode[] {
  return Array.isArray(value) ? value.map(asNode).filter((node) => node !== undefined) : [];
}

function attribute(node: XmlNode | undefined, name: string): string | undefined {
  const value = node?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** The A1's chain from the URDF Coach ships, read synchronously at start-up. */
export function loadArmChain(appRoot: string): KinematicChain {
  const filePath = defaultUrdfPath(appRoot);
  let xml: string;
  try {
    xml = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new UrdfError(`cannot read the arm's URDF ${filePath}: ${(error as Error).message}; reinstall Coach`);
  }
  return parseUrdfChain(xml, path.basename(filePath));
}
