import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUrdfPath, loadUrdfChain, parseUrdfChain, UrdfError } from '../../../src/main/robot/urdf/loadUrdf';
import { MOTOR_NAMES, URDF_JOINT_LIMITS } from '../../../src/shared/robot/a1Spec';
import { forwardKinematics, type KinematicChain } from '../../../src/shared/robot/kinematics';

const appRoot = path.join(__dirname, '../../..');
const urdfPath = defaultUrdfPath(appRoot);
const HALF_PI = 1.5707963;

// The doc's "Kinematics and limits" table (origins) and Coach's reconstruction of the rotations and axes.
const EXPECTED_JOINTS = [
  { parentLink: 'base_link', childLink: 'link1', xyz: [0, 0, 0.0892], rpy: [0, 0, 0], axis: [0, 0, 1] },
  { parentLink: 'link1', childLink: 'link2', xyz: [0, 0, 0.0615], rpy: [0, 0, 0], axis: [0, -1, 0] },
  { parentLink: 'link2', childLink: 'link3', xyz: [0.34928, 0.02, 0], rpy: [0, 0, 0], axis: [0, -1, 0] },
  { parentLink: 'link3', childLink: 'link4', xyz: [0.07, 0, 0], rpy: [0, HALF_PI, 0], axis: [0, 0, 1] },
  { parentLink: 'link4', childLink: 'link5', xyz: [0, 0, 0.2776], rpy: [-HALF_PI, 0, 0], axis: [0, 0, 1] },
  { parentLink: 'link5', childLink: 'link6', xyz: [0, -0.1575, 0], rpy: [0, 0, 0], axis: [0, -1, 0] },
];

let chain: KinematicChain;
let urdfText: string;
let tempDir: string;
beforeAll(async () => {
  chain = await loadUrdfChain(urdfPath);
  urdfText = await readFile(urdfPath, 'utf8');
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'coach-urdf-'));
});
afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** Writes a variant of the shipped URDF as a1.urdf in a fresh folder and loads it. */
async function loadVariant(edit: (text: string) => string): Promise<KinematicChain> {
  const dir = await mkdtemp(path.join(tempDir, 'variant-'));
  const file = path.join(dir, 'a1.urdf');
  await writeFile(file, edit(urdfText));
  return loadUrdfChain(file);
}

describe('the shipped A1 URDF', () => {
  it('lives under resources/a1', () => {
    expect(urdfPath).toBe(path.join(appRoot, 'resources', 'a1', 'a1.urdf'));
  });

  it('has the six arm joints, base to TCP, with the limits of a1Spec', () => {
    expect(chain.baseLink).toBe('base_link');
    expect(chain.joints.map((joint) => joint.name)).toEqual(MOTOR_NAMES.slice(0, 6));
    chain.joints.forEach((joint, i) => {
      const { lowerRad, upperRad, velocityRadS, effortNm } = joint;
      expect({ lowerRad, upperRad, velocityRadS, effortNm }).toEqual(URDF_JOINT_LIMITS[i]);
    });
  });

  it("has the doc's joint origins and Coach's axes", () => {
    chain.joints.forEach((joint, i) => {
      const expected = EXPECTED_JOINTS[i]!;
      expect(joint.parentLink).toBe(expected.parentLink);
      expect(joint.childLink).toBe(expected.childLink);
      expect(joint.originXyzM).toEqual(expected.xyz);
      expect(joint.originRpyRad).toEqual(expected.rpy);
      expect(joint.axis).toEqual(expected.axis);
    });
  });

  it('composes the gripper mount and the TCP offset after joint 6', () => {
    expect(chain.tcpFromLastJoint.positionM).toEqual([0, -0.08, 0]);
    chain.tcpFromLastJoint.rotation.forEach((value, i) =>
      expect(value).toBeCloseTo([1, 0, 0, 0, 1, 0, 0, 0, 1][i]!, 12),
    );
  });

  it('gives every link a visual and an inertial with a positive mass, for a 3D viewer', () => {
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(urdfText) as {
      robot: { link: { '@_name': string; visual?: unknown; inertial?: { mass?: { '@_value': string } } }[] };
    };
    const links = parsed.robot.link;
    expect(links.map((link) => link['@_name']).sort()).toEqual(
      ['base_link', 'gripper_base', 'link1', 'link2', 'link3', 'link4', 'link5', 'link6', 'tcp'].sort(),
    );
    for (const link of links) {
      expect(link.visual, link['@_name']).toBeDefined();
      expect(Number(link.inertial?.mass?.['@_value']), link['@_name']).toBeGreaterThan(0);
    }
  });

  it('says it is a reconstruction, not the vendor file', () => {
    expect(urdfText).toMatch(/cannot be redistributed/);
    expect(urdfText).toMatch(/reconstruction/);
  });
});

describe('URDF errors name the file and the problem', () => {
  it('reports a joint without <limit>', async () => {
    const withoutLimit = (text: string) => text.replace(/(<joint name="arm_joint3"[\s\S]*?)<limit [^>]*\/>/, '$1');
    await expect(loadVariant(withoutLimit)).rejects.toThrow(new UrdfError('a1.urdf: joint arm_joint3 has no <limit>'));
  });

  it('reports a missing file', async () => {
    await expect(loadUrdfChain(path.join(tempDir, 'missing.urdf'))).rejects.toThrow(/^missing\.urdf: cannot be read/);
  });

  it('reports malformed XML with its line', async () => {
    await expect(loadVariant((text) => text.replace('</robot>', ''))).rejects.toThrow(
      /^a1\.urdf: not well-formed XML \(line \d+: /,
    );
  });

  it('reports a TCP that is not connected to the base', async () => {
    await expect(
      loadVariant((text) => text.replace('<parent link="gripper_base"/>', '<parent link="nowhere"/>')),
    ).rejects.toThrow('a1.urdf: link tcp is not connected to base_link');
  });

  it('reports joint types the kinematics does not handle', async () => {
    await expect(
      loadVariant((text) =>
        text.replace('<joint name="arm_joint4" type="revolute">', '<joint name="arm_joint4" type="prismatic">'),
      ),
    ).rejects.toThrow('a1.urdf: joint arm_joint4 is prismatic; only revolute and fixed joints are supported');
  });

  it('reports an origin that is not three numbers', async () => {
    await expect(loadVariant((text) => text.replace('xyz="0.07 0 0" rpy', 'xyz="0.07 0" rpy'))).rejects.toThrow(
      'a1.urdf: joint arm_joint4 <origin xyz> "0.07 0" is not three numbers',
    );
  });
});

describe('parsing other chains', () => {
  it('folds a fixed joint between revolute joints into the next origin', () => {
    const xml = `<robot name="t">
      <link name="base_link"/><link name="a"/><link name="b"/><link name="c"/><link name="tcp"/>
      <joint name="j1" type="revolute"><parent link="base_link"/><child link="a"/>
        <axis xyz="0 0 1"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>
      <joint name="mount" type="fixed"><parent link="a"/><child link="b"/><origin xyz="0.1 0 0" rpy="0 0 1.5707963267948966"/></joint>
      <joint name="j2" type="revolute"><parent link="b"/><child link="c"/><origin xyz="0.2 0 0"/>
        <axis xyz="0 0 1"/><limit lower="-1" upper="1" effort="1" velocity="1"/></joint>
      <joint name="tip" type="fixed"><parent link="c"/><child link="tcp"/><origin xyz="0.05 0 0"/></joint>
    </robot>`;
    const folded = parseUrdfChain(xml, 't.urdf');
    expect(folded.joints.map((joint) => [joint.name, joint.parentLink, joint.childLink])).toEqual([
      ['j1', 'base_link', 'a'],
      ['j2', 'a', 'c'],
    ]);
    // mount turns the frame 90° about z, so j2 sits 0.2 m along base y and the TCP another 0.05 m.
    const tcp = forwardKinematics(folded, [0, 0]).positionM;
    [0.1, 0.25, 0].forEach((value, i) => expect(tcp[i]).toBeCloseTo(value, 9));
  });
});
