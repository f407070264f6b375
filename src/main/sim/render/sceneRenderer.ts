import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import {
  addVec3,
  chainState,
  crossVec3,
  dotVec3,
  IDENTITY_MAT3,
  normVec3,
  rotateVec3,
  scaleVec3,
  subVec3,
  type KinematicChain,
  type Mat3,
  type Pose,
  type Vec3,
} from '../../../shared/robot/kinematics';
import type { CameraSpec, ObjectShape, WorldObject, WorldSnapshot } from '../../../shared/sim/worldTypes';
import {
  cameraFromSpec,
  depthOf,
  directionToCamera,
  projectPoint,
  projectPolygon,
  projectSegment,
  type PinholeCamera,
  type ProjectedPoint,
} from './cameraProjection';

/**
 * Synthetic cameras: draws a WorldSnapshot with @napi-rs/canvas 2D paths, fills and gradients.
 * Everything is painted back to front (painter's algorithm on camera depth): background, table,
 * contact shadows, then objects and arm parts sorted by the depth of their centres.
 */

export interface RenderOptions {
  /** Writes each object's kind next to it: for people (display, CLI), never for the policy image. */
  labels?: boolean;
}

/** The size of the policy's input image. */
export const POLICY_IMAGE_PX = 224;

type Rgb = [number, number, number];

const ARM_LIGHT: Rgb = [209, 212, 217];
const ARM_DARK: Rgb = [51, 51, 56];
const ARM_ACCENT: Rgb = [242, 115, 26];
const TABLE_THICKNESS_M = 0.04;
const SHADOW_LIFT_M = 0.0005;

export class UnknownCameraError extends Error {
  override name = 'UnknownCameraError';
}

/** The camera of that name, or an error that lists the ones the snapshot has. */
export function findCamera(snapshot: WorldSnapshot, cameraName: string): CameraSpec {
  const spec = snapshot.cameras.find((camera) => camera.name === cameraName);
  if (!spec) {
    const names = snapshot.cameras.map((camera) => camera.name).join(', ') || 'none';
    throw new UnknownCameraError(`unknown camera "${cameraName}"; this scene has: ${names}`);
  }
  return spec;
}

/** Draws one camera's view of the snapshot. */
export function renderCamera(
  snapshot: WorldSnapshot,
  chain: KinematicChain,
  cameraName: string,
  widthPx: number,
  heightPx: number,
  options: RenderOptions = {},
): Canvas {
  const spec = findCamera(snapshot, cameraName);
  const arm = chainState(chain, snapshot.armQRad);
  const camera = cameraFromSpec(spec, {
    widthPx,
    heightPx,
    tcpPose: spec.mount === 'wrist' ? arm.tcp : undefined,
    nearM: spec.mount === 'wrist' ? 0.005 : undefined,
  });
  const canvas = createCanvas(widthPx, heightPx);
  const ctx = canvas.getContext('2d');
  new Painter(ctx, camera, snapshot, arm, spec.mount === 'wrist').paint(options);
  return canvas;
}

export function renderToPng(
  snapshot: WorldSnapshot,
  chain: KinematicChain,
  cameraName: string,
  widthPx: number,
  heightPx: number,
  options: RenderOptions = {},
): Buffer {
  return renderCamera(snapshot, chain, cameraName, widthPx, heightPx, options).encodeSync('png');
}

/** quality: 0 … 100. */
export function renderToJpeg(
  snapshot: WorldSnapshot,
  chain: KinematicChain,
  cameraName: string,
  widthPx: number,
  heightPx: number,
  quality = 90,
  options: RenderOptions = {},
): Buffer {
  return renderCamera(snapshot, chain, cameraName, widthPx, heightPx, options).encodeSync('jpeg', quality);
}

/** The policy's input: a sizePx × sizePx RGB image, row-major, 3 bytes a pixel, no labels. */
export function renderToRgb(
  snapshot: WorldSnapshot,
  chain: KinematicChain,
  cameraName: string,
  sizePx = POLICY_IMAGE_PX,
): Uint8Array {
  const canvas = renderCamera(snapshot, chain, cameraName, sizePx, sizePx);
  return rgbaToRgb(canvas.getContext('2d').getImageData(0, 0, sizePx, sizePx).data);
}

/**
 * The policy's input drawn as the live sim camera delivers it: the 4:3 display view, smoothly scaled to the
 * policy's size (the live camera scales its 640×480 picture; this draws the 4:3 view at the policy's height
 * first, which is faster and looks the same once scaled).
 */
export function renderPolicyImage(
  snapshot: WorldSnapshot,
  chain: KinematicChain,
  cameraName: string,
  widthPx: number,
  heightPx: number,
): Uint8Array {
  const canvas = renderCamera(snapshot, chain, cameraName, Math.round((heightPx * 4) / 3), heightPx);
  return downscaleToRgb(canvas, widthPx, heightPx);
}

/** A drawn picture scaled down (smoothly) to another size, as RGB: the policy's copy of a display frame. */
export function downscaleToRgb(source: Canvas, widthPx: number, heightPx: number): Uint8Array {
  const target = createCanvas(widthPx, heightPx);
  const ctx = target.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, widthPx, heightPx);
  return rgbaToRgb(ctx.getImageData(0, 0, widthPx, heightPx).data);
}

function rgbaToRgb(rgba: Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return rgb;
}

// ---------------------------------------------------------------------------------------------------
// Colours

const colorCache = new Map<string, Rgb>();
let scratchCtx: SKRSContext2D | null = null;

/** A CSS colour as RGB 0…255 (hex directly; anything else through the canvas's own parser). */
export function parseColor(css: string): Rgb {
  const cached = colorCache.get(css);
  if (cached) return cached;
  let rgb: Rgb | null = null;
  const hex = /^#([0-9a-f]{3,8})$/i.exec(css.trim())?.[1];
  if (hex && (hex.length === 3 || hex.length === 4)) {
    rgb = [0, 1, 2].map((i) => parseInt(hex[i]! + hex[i]!, 16)) as Rgb;
  } else if (hex && (hex.length === 6 || hex.length === 8)) {
    rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
  } else {
    scratchCtx ??= createCanvas(1, 1).getContext('2d');
    scratchCtx.fillStyle = '#808080';
    scratchCtx.fillStyle = css;
    const normalised = String(scratchCtx.fillStyle);
    const hexOut = /^#([0-9a-f]{6})/i.exec(normalised)?.[1];
    const rgbOut = /rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/i.exec(normalised);
    if (hexOut) rgb = [0, 2, 4].map((i) => parseInt(hexOut.slice(i, i + 2), 16)) as Rgb;
    else if (rgbOut) rgb = [Number(rgbOut[1]), Number(rgbOut[2]), Number(rgbOut[3])];
  }
  rgb ??= [128, 128, 128];
  colorCache.set(css, rgb);
  return rgb;
}

function css(rgb: readonly number[], alpha = 1): string {
  const [r, g, b] = rgb.map((v) => Math.round(Math.min(255, Math.max(0, v))));
  return alpha >= 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${alpha.toFixed(3)})`;
}

function scaleRgb(rgb: readonly number[], k: number): Rgb {
  return [rgb[0]! * k, rgb[1]! * k, rgb[2]! * k];
}

function mixRgb(a: readonly number[], b: readonly number[], t: number): Rgb {
  return [a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t, a[2]! + (b[2]! - a[2]!) * t];
}

// ---------------------------------------------------------------------------------------------------
// Geometry helpers

function unit(v: Vec3): Vec3 {
  const length = normVec3(v);
  return length > 0 ? scaleVec3(v, 1 / length) : v;
}

function yawMatrix(yawRad: number): Mat3 {
  const c = Math.cos(yawRad);
  const s = Math.sin(yawRad);
  return [c, -s, 0, s, c, 0, 0, 0, 1];
}

/** A rotation whose z column is the given axis (the other two columns are arbitrary but stable). */
function frameWithZ(axis: Vec3): Mat3 {
  const z = unit(axis);
  const helper: Vec3 = Math.abs(z[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const x = unit(crossVec3(helper, z));
  const y = crossVec3(z, x);
  return [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
}

function toWorld(pose: Pose, local: readonly number[]): Vec3 {
  return addVec3(pose.positionM, rotateVec3(pose.rotation, local));
}

function centroid(points: readonly Vec3[]): Vec3 {
  let sum: Vec3 = [0, 0, 0];
  for (const p of points) sum = addVec3(sum, p);
  return scaleVec3(sum, 1 / points.length);
}

/** One flat-shaded polygon of a mesh, in the base frame, with its outward normal. */
interface Facet {
  points: Vec3[];
  normal: Vec3;
  color: Rgb;
}

interface DrawItem {
  depth: number;
  draw: () => void;
}

/** A profile point of a surface of revolution: radius at height, in the part's own frame (axis = local z). */
interface ProfilePoint {
  r: number;
  z: number;
}

const CIRCLE_SEGMENTS = 24;

function ring(pose: Pose, r: number, z: number, segments: number): Vec3[] {
  const points: Vec3[] = [];
  for (let j = 0; j < segments; j += 1) {
    const a = (2 * Math.PI * j) / segments;
    points.push(toWorld(pose, [r * Math.cos(a), r * Math.sin(a), z]));
  }
  return points;
}

/**
 * Facets of a surface of revolution about the pose's z axis. outward: +1 for an outer wall, −1 for an
 * inner wall (normals towards the axis). colorOf picks a band's colour.
 */
function revolutionFacets(
  pose: Pose,
  profile: readonly ProfilePoint[],
  colorOf: (band: number) => Rgb,
  outward: 1 | -1 = 1,
  segments = CIRCLE_SEGMENTS,
): Facet[] {
  const facets: Facet[] = [];
  const rings = profile.map((p) => ring(pose, p.r, p.z, segments));
  const axisPoint = (z: number) => toWorld(pose, [0, 0, z]);
  for (let band = 0; band + 1 < profile.length; band += 1) {
    const lower = rings[band]!;
    const upper = rings[band + 1]!;
    const color = colorOf(band);
    const midZ = (profile[band]!.z + profile[band + 1]!.z) / 2;
    for (let j = 0; j < segments; j += 1) {
      const k = (j + 1) % segments;
      const points = [lower[j]!, lower[k]!, upper[k]!, upper[j]!];
      const centre = centroid(points);
      let normal = unit(crossVec3(subVec3(points[1]!, points[0]!), subVec3(points[3]!, points[0]!)));
      if (normVec3(normal) < 0.5)
        normal = unit(crossVec3(subVec3(points[2]!, points[1]!), subVec3(points[3]!, points[1]!)));
      const radial = subVec3(centre, axisPoint(midZ));
      if (dotVec3(normal, radial) * outward < 0) normal = scaleVec3(normal, -1);
      facets.push({ points, normal, color });
    }
  }
  return facets;
}

function discFacet(pose: Pose, r: number, z: number, color: Rgb, up: 1 | -1 = 1): Facet {
  return {
    points: ring(pose, r, z, CIRCLE_SEGMENTS),
    normal: unit(rotateVec3(pose.rotation, [0, 0, up])),
    color,
  };
}

/** Facets of a box of the given size centred on the pose. */
function boxFacets(pose: Pose, size: readonly number[], color: Rgb | ((face: number) => Rgb)): Facet[] {
  const [hx, hy, hz] = [size[0]! / 2, size[1]! / 2, size[2]! / 2];
  const corner = (sx: number, sy: number, sz: number) => toWorld(pose, [sx * hx, sy * hy, sz * hz]);
  const faces: { n: Vec3; c: [number, number, number][] }[] = [
    {
      n: [1, 0, 0],
      c: [
        [1, -1, -1],
        [1, 1, -1],
        [1, 1, 1],
        [1, -1, 1],
      ],
    },
    {
      n: [-1, 0, 0],
      c: [
        [-1, 1, -1],
        [-1, -1, -1],
        [-1, -1, 1],
        [-1, 1, 1],
      ],
    },
    {
      n: [0, 1, 0],
      c: [
        [1, 1, -1],
        [-1, 1, -1],
        [-1, 1, 1],
        [1, 1, 1],
      ],
    },
    {
      n: [0, -1, 0],
      c: [
        [-1, -1, -1],
        [1, -1, -1],
        [1, -1, 1],
        [-1, -1, 1],
      ],
    },
    {
      n: [0, 0, 1],
      c: [
        [-1, -1, 1],
        [1, -1, 1],
        [1, 1, 1],
        [-1, 1, 1],
      ],
    },
    {
      n: [0, 0, -1],
      c: [
        [-1, 1, -1],
        [1, 1, -1],
        [1, -1, -1],
        [-1, -1, -1],
      ],
    },
  ];
  return faces.map((face, index) => ({
    points: face.c.map(([x, y, z]) => corner(x, y, z)),
    normal: rotateVec3(pose.rotation, face.n),
    color: typeof color === 'function' ? color(index) : color,
  }));
}

function ellipsoidFacets(pose: Pose, radii: readonly number[], color: Rgb, latSteps = 8, lonSteps = 18): Facet[] {
  const [rx, ry, rz] = [radii[0]!, radii[1]!, radii[2]!];
  const point = (i: number, j: number): Vec3 => {
    const theta = -Math.PI / 2 + (Math.PI * i) / latSteps;
    const phi = (2 * Math.PI * j) / lonSteps;
    return [rx * Math.cos(theta) * Math.cos(phi), ry * Math.cos(theta) * Math.sin(phi), rz * Math.sin(theta)];
  };
  const facets: Facet[] = [];
  for (let i = 0; i < latSteps; i += 1) {
    for (let j = 0; j < lonSteps; j += 1) {
      const local = [point(i, j), point(i, j + 1), point(i + 1, j + 1), point(i + 1, j)];
      const mid = point(i + 0.5, j + 0.5);
      const normalLocal = unit([mid[0] / (rx * rx), mid[1] / (ry * ry), mid[2] / (rz * rz)]);
      facets.push({
        points: local.map((p) => toWorld(pose, p)),
        normal: rotateVec3(pose.rotation, normalLocal),
        color,
      });
    }
  }
  return facets;
}

// ---------------------------------------------------------------------------------------------------
// The painter

interface ArmState {
  jointPoses: Pose[];
  jointAxesBase: Vec3[];
  tcp: Pose;
}

class Painter {
  private readonly lightFrom: Vec3;
  private readonly ambient: number;
  private readonly brightness: number;
  private readonly lightCam: Vec3;
  private readonly items: DrawItem[] = [];
  private readonly tablePolygon: ProjectedPoint[] | null;
  /** Thin lines scale with the image so 224 px and 640 px pictures look alike. */
  private readonly px: number;

  constructor(
    private readonly ctx: SKRSContext2D,
    private readonly camera: PinholeCamera,
    private readonly snapshot: WorldSnapshot,
    private readonly arm: ArmState,
    private readonly wrist: boolean,
  ) {
    const { lighting } = snapshot;
    let from = unit([...lighting.directionFrom]);
    if (!(normVec3(from) > 0.5) || from[2] < 0.15) from = unit([from[0] || 0.3, from[1] || 0.2, 0.8]);
    this.lightFrom = from;
    this.ambient = Math.min(1, Math.max(0, lighting.ambient));
    this.brightness = lighting.brightness > 0 ? lighting.brightness : 1;
    this.lightCam = directionToCamera(camera, from);
    this.px = Math.max(camera.widthPx, camera.heightPx) / 640;
    const [sx, sy] = snapshot.table.sizeM;
    const [cx, cy] = snapshot.table.centerM;
    this.tablePolygon = projectPolygon(camera, [
      [cx - sx / 2, cy - sy / 2, 0],
      [cx + sx / 2, cy - sy / 2, 0],
      [cx + sx / 2, cy + sy / 2, 0],
      [cx - sx / 2, cy + sy / 2, 0],
    ]);
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
  }

  paint(options: RenderOptions): void {
    this.drawBackground();
    this.drawTable();
    this.drawShadows();
    this.collectObjects();
    this.collectArm();
    this.items.sort((a, b) => b.depth - a.depth);
    for (const item of this.items) item.draw();
    if (options.labels) this.drawLabels();
  }

  // --- shading

  private intensity(normal: readonly number[]): number {
    const lambert = Math.max(0, dotVec3(normal, this.lightFrom));
    return (this.ambient + (1 - this.ambient) * lambert) * this.brightness;
  }

  private shade(color: readonly number[], normal: readonly number[]): Rgb {
    return scaleRgb(color, this.intensity(normal));
  }

  // --- primitives

  private pathOf(points: readonly ProjectedPoint[]): void {
    const { ctx } = this;
    ctx.beginPath();
    ctx.moveTo(points[0]!.xPx, points[0]!.yPx);
    for (let i = 1; i < points.length; i += 1) ctx.lineTo(points[i]!.xPx, points[i]!.yPx);
    ctx.closePath();
  }

  private facing(facet: Facet): boolean {
    return dotVec3(facet.normal, subVec3(this.camera.eyeM, facet.points[0]!)) > 0;
  }

  /** Draws the facets that face the camera, far to near, flat shaded; seams are hidden by a hairline stroke. */
  private drawFacets(facets: readonly Facet[], options: { cull?: boolean; outline?: boolean } = {}): void {
    const visible = (options.cull ?? true) ? facets.filter((facet) => this.facing(facet)) : [...facets];
    const keyed = visible.map((facet) => ({ facet, depth: depthOf(this.camera, centroid(facet.points)) }));
    keyed.sort((a, b) => b.depth - a.depth);
    const { ctx } = this;
    ctx.lineWidth = 0.8;
    for (const { facet } of keyed) {
      const projected = projectPolygon(this.camera, facet.points);
      if (!projected) continue;
      const normal =
        dotVec3(facet.normal, subVec3(this.camera.eyeM, facet.points[0]!)) > 0
          ? facet.normal
          : scaleVec3(facet.normal, -1);
      const fill = css(this.shade(facet.color, normal));
      this.pathOf(projected);
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.strokeStyle = fill;
      ctx.stroke();
      if (options.outline) {
        ctx.strokeStyle = 'rgba(0,0,0,0.25)';
        ctx.lineWidth = 0.6 * this.px;
        ctx.stroke();
        ctx.lineWidth = 0.8;
      }
    }
  }

  /** A sphere as a disc with a radial gradient lit from the light's side. */
  private drawSphere(centreM: Vec3, radiusM: number, color: Rgb, shininess = 0.25): void {
    const centre = projectPoint(this.camera, centreM);
    if (!centre || centre.depthM < radiusM + this.camera.nearM) return;
    const r = (this.camera.focalPx * radiusM) / Math.sqrt(Math.max(1e-12, centre.depthM ** 2 - radiusM ** 2));
    const [lx, ly] = this.lightCam;
    const hx = centre.xPx + lx * r * 0.45;
    const hy = centre.yPx + ly * r * 0.45;
    const lit = scaleRgb(color, (this.ambient + (1 - this.ambient) * 1.0) * this.brightness);
    const { ctx } = this;
    const gradient = ctx.createRadialGradient(hx, hy, 0, centre.xPx, centre.yPx, r);
    gradient.addColorStop(0, css(mixRgb(lit, [255, 255, 255], shininess)));
    gradient.addColorStop(0.25, css(lit));
    gradient.addColorStop(0.75, css(scaleRgb(color, (this.ambient + (1 - this.ambient) * 0.45) * this.brightness)));
    gradient.addColorStop(1, css(scaleRgb(color, this.ambient * 0.9 * this.brightness)));
    ctx.beginPath();
    ctx.arc(centre.xPx, centre.yPx, r, 0, 2 * Math.PI);
    ctx.fillStyle = gradient;
    ctx.fill();
  }

  /**
   * A tapered capsule between two points (a link of the arm), shaded across its width as a cylinder:
   * surface normal at width fraction s is s·n + √(1−s²)·(towards the camera).
   */
  private drawCapsule(aM: Vec3, bM: Vec3, radiusM: number, color: Rgb): void {
    const segment = projectSegment(this.camera, aM, bM);
    if (!segment) return;
    const [a, b] = segment;
    const ra = (this.camera.focalPx * radiusM) / a.depthM;
    const rb = (this.camera.focalPx * radiusM) / b.depthM;
    let dx = b.xPx - a.xPx;
    let dy = b.yPx - a.yPx;
    const length = Math.hypot(dx, dy);
    if (length < 1e-6) {
      dx = 1;
      dy = 0;
    } else {
      dx /= length;
      dy /= length;
    }
    const nx = -dy;
    const ny = dx;
    const rMax = Math.max(ra, rb);
    const mx = (a.xPx + b.xPx) / 2;
    const my = (a.yPx + b.yPx) / 2;
    const { ctx } = this;
    const gradient = ctx.createLinearGradient(mx - nx * rMax, my - ny * rMax, mx + nx * rMax, my + ny * rMax);
    for (const s of [-1, -0.7, -0.35, 0, 0.35, 0.7, 1]) {
      const c = Math.sqrt(Math.max(0, 1 - s * s));
      const normal: Vec3 = [nx * s, ny * s, -c];
      const lambert = Math.max(0, dotVec3(normal, this.lightCam));
      const k = (this.ambient + (1 - this.ambient) * lambert) * this.brightness;
      gradient.addColorStop((s + 1) / 2, css(scaleRgb(color, k * (0.85 + 0.15 * c))));
    }
    ctx.fillStyle = gradient;
    ctx.beginPath();
    ctx.moveTo(a.xPx + nx * ra, a.yPx + ny * ra);
    ctx.lineTo(b.xPx + nx * rb, b.yPx + ny * rb);
    ctx.lineTo(b.xPx - nx * rb, b.yPx - ny * rb);
    ctx.lineTo(a.xPx - nx * ra, a.yPx - ny * ra);
    ctx.closePath();
    ctx.fill();
    ctx.beginPath();
    ctx.arc(a.xPx, a.yPx, ra, 0, 2 * Math.PI);
    ctx.fill();
    ctx.beginPath();
    ctx.arc(b.xPx, b.yPx, rb, 0, 2 * Math.PI);
    ctx.fill();
  }

  // --- background and table

  private drawBackground(): void {
    const { ctx, camera } = this;
    const base = parseColor(this.snapshot.background);
    const gradient = ctx.createLinearGradient(0, 0, 0, camera.heightPx);
    gradient.addColorStop(0, css(scaleRgb(base, 1.08 * this.brightness)));
    gradient.addColorStop(1, css(scaleRgb(base, 0.8 * this.brightness)));
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, camera.widthPx, camera.heightPx);
  }

  private drawTable(): void {
    const { ctx, camera, snapshot } = this;
    const color = parseColor(snapshot.table.color);
    const [sx, sy] = snapshot.table.sizeM;
    const [cx, cy] = snapshot.table.centerM;
    // The slab's sides first, so the edge of the table reads as a thickness.
    const slab: Pose = { positionM: [cx, cy, -TABLE_THICKNESS_M / 2], rotation: IDENTITY_MAT3 };
    const sides = boxFacets(slab, [sx, sy, TABLE_THICKNESS_M], scaleRgb(color, 0.8)).slice(0, 4);
    this.drawFacets(sides);

    const top = this.tablePolygon;
    if (!top) return;
    const lit = this.shade(color, [0, 0, 1]);
    let minY = Infinity;
    let maxY = -Infinity;
    for (const p of top) {
      minY = Math.min(minY, p.yPx);
      maxY = Math.max(maxY, p.yPx);
    }
    minY = Math.max(0, Math.min(minY, camera.heightPx));
    maxY = Math.max(minY + 1, Math.min(maxY, camera.heightPx));
    // Farther wood (higher in the picture) a little darker: depth reads even without the grid.
    const gradient = ctx.createLinearGradient(0, minY, 0, maxY);
    gradient.addColorStop(0, css(scaleRgb(lit, 0.86)));
    gradient.addColorStop(1, css(scaleRgb(lit, 1.04)));
    this.pathOf(top);
    ctx.fillStyle = gradient;
    ctx.fill();

    ctx.save();
    this.pathOf(top);
    ctx.clip();
    // Wood planks along x, and a faint 10 cm grid.
    ctx.lineWidth = Math.max(0.6, 0.9 * this.px);
    const planks = Math.max(1, Math.round(sy / 0.12));
    ctx.strokeStyle = css(scaleRgb(lit, 0.78), 0.55);
    for (let i = 1; i < planks; i += 1) {
      const y = cy - sy / 2 + (sy * i) / planks;
      this.strokeSegment([cx - sx / 2, y, 0], [cx + sx / 2, y, 0]);
    }
    ctx.strokeStyle = 'rgba(0,0,0,0.07)';
    ctx.lineWidth = Math.max(0.5, 0.7 * this.px);
    const step = 0.1;
    for (let x = Math.ceil((cx - sx / 2) / step) * step; x <= cx + sx / 2 + 1e-9; x += step) {
      this.strokeSegment([x, cy - sy / 2, 0], [x, cy + sy / 2, 0]);
    }
    for (let y = Math.ceil((cy - sy / 2) / step) * step; y <= cy + sy / 2 + 1e-9; y += step) {
      this.strokeSegment([cx - sx / 2, y, 0], [cx + sx / 2, y, 0]);
    }
    ctx.restore();
    // A light front edge.
    ctx.strokeStyle = css(mixRgb(lit, [255, 255, 255], 0.3), 0.6);
    ctx.lineWidth = Math.max(0.6, this.px);
    this.pathOf(top);
    ctx.stroke();
  }

  private strokeSegment(aM: Vec3, bM: Vec3): void {
    const segment = projectSegment(this.camera, aM, bM);
    if (!segment) return;
    const { ctx } = this;
    ctx.beginPath();
    ctx.moveTo(segment[0].xPx, segment[0].yPx);
    ctx.lineTo(segment[1].xPx, segment[1].yPx);
    ctx.stroke();
  }

  // --- shadows

  /** Where a point's shadow falls on the horizontal plane z = planeZ. */
  private shadowPoint(p: Vec3, planeZ: number): Vec3 {
    const [lx, ly, lz] = this.lightFrom;
    const h = p[2] - planeZ;
    return [p[0] - (h * lx) / lz, p[1] - (h * ly) / lz, planeZ + SHADOW_LIFT_M];
  }

  private shadowStrength(): number {
    return (1 - this.ambient) * 0.9 + 0.1;
  }

  /**
   * A soft elliptical shadow on a horizontal plane: a radial gradient drawn through the affine map that
   * takes the unit circle to the projected ellipse (close to exact for something this small).
   */
  private softEllipse(centre: Vec3, a: number, b: number, yaw: number, strength: number): void {
    const rotation = yawMatrix(yaw);
    const spread = 1.35;
    const c = projectPoint(this.camera, centre);
    const u = projectPoint(this.camera, addVec3(centre, rotateVec3(rotation, [a * spread, 0, 0])));
    const v = projectPoint(this.camera, addVec3(centre, rotateVec3(rotation, [0, b * spread, 0])));
    if (!c || !u || !v) return;
    const { ctx } = this;
    ctx.save();
    ctx.transform(u.xPx - c.xPx, u.yPx - c.yPx, v.xPx - c.xPx, v.yPx - c.yPx, c.xPx, c.yPx);
    const gradient = ctx.createRadialGradient(0, 0, 0, 0, 0, 1);
    gradient.addColorStop(0, `rgba(0,0,0,${(0.34 * strength).toFixed(3)})`);
    gradient.addColorStop(0.5, `rgba(0,0,0,${(0.26 * strength).toFixed(3)})`);
    gradient.addColorStop(0.8, `rgba(0,0,0,${(0.08 * strength).toFixed(3)})`);
    gradient.addColorStop(1, 'rgba(0,0,0,0)');
    ctx.beginPath();
    ctx.arc(0, 0, 1, 0, 2 * Math.PI);
    ctx.fillStyle = gradient;
    ctx.fill();
    ctx.restore();
  }

  private drawShadows(): void {
    const { ctx } = this;
    const strength = this.shadowStrength();
    ctx.save();
    if (this.tablePolygon) {
      this.pathOf(this.tablePolygon);
      ctx.clip();
    }
    for (const object of this.snapshot.objects) {
      if (object.insideId) continue; // drawn on the container's floor with the container
      this.objectShadow(object, 0, strength);
    }
    // The arm's shadow: its centre line thrown onto the table, stroked as one path per pass so that
    // overlapping links do not darken each other; a wide faint pass and a narrow one soften the edge.
    const points = this.armPoints().slice(1);
    const segments = points
      .slice(1)
      .map((point, i) => projectSegment(this.camera, this.shadowPoint(points[i]!.p, 0), this.shadowPoint(point.p, 0)))
      .filter((segment) => segment !== null);
    if (segments.length > 0) {
      const depth = segments.reduce((sum, [a, b]) => sum + a.depthM + b.depthM, 0) / (2 * segments.length);
      for (const [widthM, alpha] of [
        [0.09, 0.07],
        [0.05, 0.1],
      ] as const) {
        ctx.strokeStyle = `rgba(0,0,0,${(alpha * strength).toFixed(3)})`;
        ctx.lineWidth = (widthM * this.camera.focalPx) / depth;
        ctx.beginPath();
        for (const [a, b] of segments) {
          ctx.moveTo(a.xPx, a.yPx);
          ctx.lineTo(b.xPx, b.yPx);
        }
        ctx.stroke();
      }
    }
    this.softEllipse(this.shadowPoint([0, 0, 0.05], 0), 0.085, 0.085, 0, strength * 0.8);
    const tcpShadow = this.shadowPoint(this.arm.tcp.positionM, 0);
    this.softEllipse(tcpShadow, 0.035, 0.035, 0, strength * 0.8);
    ctx.restore();
  }

  private objectShadow(object: WorldObject, supportZ: number, strength: number): void {
    const { a, b, height } = footprint(object.shape);
    const base = object.positionM;
    const lift = Math.max(0, base[2] - supportZ);
    // Lifted (grasped) objects throw a fainter, wider shadow along the light.
    const fade = 1 / (1 + lift / 0.05);
    const centre = this.shadowPoint([base[0], base[1], base[2] + height * 0.3], supportZ);
    this.softEllipse(centre, a * (1 + lift), b * (1 + lift), object.yawRad, strength * fade);
  }

  // --- objects

  private collectObjects(): void {
    const byId = new Map(this.snapshot.objects.map((object) => [object.id, object]));
    for (const object of this.snapshot.objects) {
      const container = object.insideId ? byId.get(object.insideId) : undefined;
      if (container) {
        // Contents are drawn just after their container's back half, before its near wall.
        const depth = depthOf(this.camera, objectCentre(container)) - 1e-6;
        this.items.push({ depth, draw: () => this.drawObject(object) });
        continue;
      }
      const depth = depthOf(this.camera, objectCentre(object));
      if (object.shape.type === 'dish') {
        const dish = this.dishFacets(object);
        this.items.push({ depth, draw: () => this.drawDishPart(dish, 'back', object) });
        this.items.push({ depth: depth - 2e-6, draw: () => this.drawDishPart(dish, 'front', object) });
      } else {
        this.items.push({ depth, draw: () => this.drawObject(object) });
      }
    }
  }

  private objectPose(object: WorldObject): Pose {
    return { positionM: [...object.positionM], rotation: yawMatrix(object.yawRad) };
  }

  private drawObject(object: WorldObject): void {
    const color = parseColor(object.color);
    const shape = object.shape;
    const pose = this.objectPose(object);
    switch (shape.type) {
      case 'sphere': {
        const centre = addVec3(object.positionM, [0, 0, shape.radiusM]);
        this.drawSphere(centre, shape.radiusM, color, object.kind === 'orange' ? 0.12 : 0.3);
        if (object.kind === 'orange') {
          // A small green stem dimple on top.
          const top = projectPoint(this.camera, addVec3(centre, [0, 0, shape.radiusM * 0.97]));
          if (top)
            this.dot(top, Math.max(0.8, (this.camera.focalPx * shape.radiusM * 0.16) / top.depthM), [70, 110, 40]);
        }
        return;
      }
      case 'cylinder': {
        if (object.kind === 'soda_bottle') this.drawBottle(pose, shape.radiusM, shape.heightM, color);
        else {
          const facets = revolutionFacets(
            pose,
            [
              { r: shape.radiusM, z: 0 },
              { r: shape.radiusM, z: shape.heightM },
            ],
            () => color,
          );
          facets.push(discFacet(pose, shape.radiusM, shape.heightM, scaleRgb(color, 1.05)));
          this.drawFacets(facets);
        }
        return;
      }
      case 'box': {
        const boxPose: Pose = {
          positionM: addVec3(object.positionM, [0, 0, shape.sizeM[2] / 2]),
          rotation: pose.rotation,
        };
        this.drawFacets(boxFacets(boxPose, shape.sizeM, color), { outline: true });
        return;
      }
      case 'ellipsoid': {
        const [rx, ry, rz] = shape.radiiM;
        const centrePose: Pose = { positionM: addVec3(object.positionM, [0, 0, rz]), rotation: pose.rotation };
        const body = ellipsoidFacets(centrePose, shape.radiiM, color);
        if (object.kind === 'eggplant') {
          // The green calyx and stem at the +x end of the long axis.
          const green: Rgb = [74, 120, 52];
          const capPose: Pose = { positionM: toWorld(centrePose, [rx * 0.82, 0, 0]), rotation: pose.rotation };
          body.push(...ellipsoidFacets(capPose, [rx * 0.22, ry * 0.62, rz * 0.62], green, 6, 12));
          const stemPose: Pose = { positionM: toWorld(centrePose, [rx * 1.08, 0, 0]), rotation: pose.rotation };
          body.push(...boxFacets(stemPose, [rx * 0.3, ry * 0.22, rz * 0.22], [96, 120, 60]));
        }
        this.drawFacets(body);
        return;
      }
      case 'dish': {
        const dish = this.dishFacets(object);
        this.drawDishPart(dish, 'back', object);
        this.drawDishPart(dish, 'front', object);
        return;
      }
    }
  }

  private dot(at: ProjectedPoint, radiusPx: number, color: Rgb): void {
    const { ctx } = this;
    ctx.beginPath();
    ctx.arc(at.xPx, at.yPx, radiusPx, 0, 2 * Math.PI);
    ctx.fillStyle = css(scaleRgb(color, this.brightness));
    ctx.fill();
  }

  private drawBottle(pose: Pose, r: number, h: number, color: Rgb): void {
    const label = mixRgb(color, [245, 245, 240], 0.75);
    const cap: Rgb = [235, 235, 235];
    const profile: ProfilePoint[] = [
      { r, z: 0 },
      { r, z: 0.22 * h },
      { r, z: 0.5 * h },
      { r, z: 0.62 * h },
      { r: 0.62 * r, z: 0.76 * h },
      { r: 0.34 * r, z: 0.86 * h },
      { r: 0.34 * r, z: 0.92 * h },
      { r: 0.38 * r, z: 0.92 * h },
      { r: 0.38 * r, z: h },
    ];
    const facets = revolutionFacets(pose, profile, (band) => (band === 1 ? label : band >= 6 ? cap : color));
    facets.push(discFacet(pose, 0.38 * r, h, cap));
    this.drawFacets(facets);
  }

  private dishFacets(object: WorldObject): { back: Facet[]; front: Facet[]; floor: Facet; contentsZ: number } {
    const shape = object.shape as Extract<ObjectShape, { type: 'dish' }>;
    const { radiusM: r, heightM: h } = shape;
    const pose = this.objectPose(object);
    const color = parseColor(object.color);
    const wall = Math.min(0.005, r * 0.06);
    const deep = h / r > 0.3;
    const outer: ProfilePoint[] = deep
      ? [
          { r: 0.5 * r, z: 0 },
          { r: 0.78 * r, z: 0.3 * h },
          { r: 0.94 * r, z: 0.66 * h },
          { r, z: h },
        ]
      : [
          { r: 0.62 * r, z: 0 },
          { r: 0.7 * r, z: 0.35 * h },
          { r, z: h },
        ];
    const floorZ = Math.min(wall, h * 0.3);
    const inner: ProfilePoint[] = outer.map((p, i) => ({
      r: Math.max(0.01 * r, p.r - wall),
      z: i === 0 ? floorZ : p.z,
    }));
    const innerColor = scaleRgb(color, 0.94);
    const outerFacets = revolutionFacets(pose, outer, () => color, 1);
    const innerFacets = revolutionFacets(pose, inner, () => innerColor, -1);
    const rimFacets = revolutionFacets(
      pose,
      [
        { r: r - wall, z: h },
        { r, z: h },
      ],
      () => mixRgb(color, [255, 255, 255], 0.35),
      1,
    ).map((facet) => ({ ...facet, normal: rotateVec3(pose.rotation, [0, 0, 1]) }));
    const floor = discFacet(pose, inner[0]!.r, floorZ, scaleRgb(color, 0.9));
    const centreDepth = depthOf(this.camera, objectCentre(object));
    const near = (facet: Facet) => depthOf(this.camera, centroid(facet.points)) < centreDepth;
    const visibleOuter = outerFacets.filter((facet) => this.facing(facet));
    const visibleInner = innerFacets.filter((facet) => this.facing(facet));
    const visibleRim = rimFacets.filter((facet) => this.facing(facet));
    return {
      back: [...visibleInner.filter((f) => !near(f)), ...visibleRim.filter((f) => !near(f))],
      front: [...visibleInner.filter(near), ...visibleOuter, ...visibleRim.filter(near)],
      floor,
      contentsZ: object.positionM[2] + floorZ,
    };
  }

  private drawDishPart(
    dish: { back: Facet[]; front: Facet[]; floor: Facet; contentsZ: number },
    part: 'back' | 'front',
    object: WorldObject,
  ): void {
    if (part === 'back') {
      this.drawFacets(dish.back, { cull: false });
      if (this.facing(dish.floor)) this.drawFacets([dish.floor], { cull: false });
      // Shadows of what lies in the dish, on its floor.
      const strength = this.shadowStrength();
      for (const inside of this.snapshot.objects) {
        if (inside.insideId === object.id) this.objectShadow(inside, dish.contentsZ, strength * 0.8);
      }
    } else {
      this.drawFacets(dish.front, { cull: false });
    }
  }

  // --- the arm

  /** The arm's centre line, base outwards, with the radius of the link that ends at each point. */
  private armPoints(): { p: Vec3; r: number }[] {
    const j = this.arm.jointPoses.map((pose) => pose.positionM);
    return [
      { p: [0, 0, 0], r: 0.07 },
      { p: j[0]!, r: 0.07 },
      { p: j[1]!, r: 0.055 },
      { p: j[2]!, r: 0.035 },
      { p: j[3]!, r: 0.03 },
      { p: j[4]!, r: 0.03 },
      { p: j[5]!, r: 0.025 },
      { p: this.arm.tcp.positionM, r: 0.025 },
    ];
  }

  private collectArm(): void {
    const { jointPoses, jointAxesBase, tcp } = this.arm;
    const j = jointPoses.map((pose) => pose.positionM);
    const push = (centre: Vec3, draw: () => void) => this.items.push({ depth: depthOf(this.camera, centre), draw });
    const drum = (centre: Vec3, axis: Vec3, radius: number, length: number, color: Rgb) => {
      const pose: Pose = { positionM: subVec3(centre, scaleVec3(unit(axis), length / 2)), rotation: frameWithZ(axis) };
      const facets = revolutionFacets(
        pose,
        [
          { r: radius, z: 0 },
          { r: radius, z: length },
        ],
        () => color,
        1,
        20,
      );
      facets.push(
        discFacet(pose, radius, length, scaleRgb(color, 1.1)),
        discFacet(pose, radius, 0, scaleRgb(color, 1.1), -1),
      );
      push(centre, () => this.drawFacets(facets));
    };

    // A wrist camera sits on the gripper: the links behind it are out of its view or too close to draw.
    if (!this.wrist) {
      const basePose: Pose = { positionM: [0, 0, 0], rotation: IDENTITY_MAT3 };
      const baseFacets = revolutionFacets(
        basePose,
        [
          { r: 0.075, z: 0 },
          { r: 0.07, z: 0.012 },
          { r: 0.07, z: j[0]![2] },
        ],
        () => ARM_DARK,
      );
      baseFacets.push(discFacet(basePose, 0.07, j[0]![2], scaleRgb(ARM_DARK, 1.15)));
      push([0, 0, j[0]![2] / 2], () => this.drawFacets(baseFacets));
      const link1Pose: Pose = { positionM: j[0]!, rotation: jointPoses[0]!.rotation };
      const link1 = revolutionFacets(
        link1Pose,
        [
          { r: 0.055, z: 0 },
          { r: 0.055, z: 0.0615 },
        ],
        () => ARM_LIGHT,
      );
      push(addVec3(j[0]!, [0, 0, 0.03]), () => this.drawFacets(link1));
      drum(j[1]!, jointAxesBase[1]!, 0.045, 0.1, ARM_DARK);
      capsule(this, j[1]!, j[2]!, 0.035, ARM_LIGHT);
      drum(j[2]!, jointAxesBase[2]!, 0.04, 0.08, ARM_DARK);
      capsule(this, j[2]!, j[3]!, 0.03, ARM_LIGHT);
      capsule(this, j[3]!, j[4]!, 0.03, ARM_LIGHT);
      drum(j[4]!, jointAxesBase[4]!, 0.032, 0.07, ARM_DARK);
      capsule(this, j[4]!, j[5]!, 0.025, ARM_LIGHT);
      drum(j[5]!, jointAxesBase[5]!, 0.035, 0.015, ARM_DARK);
    }

    // The gripper: a dark body and two orange fingers, `gripperOpeningMm` apart along the TCP's x axis.
    const gripperFrame = jointPoses[5]!;
    const bodyPose: Pose = { positionM: toWorld(gripperFrame, [0, -0.04, 0]), rotation: gripperFrame.rotation };
    const body = boxFacets(bodyPose, [0.09, 0.05, 0.045], ARM_DARK);
    push(bodyPose.positionM, () => this.drawFacets(body, { outline: true }));
    const opening = Math.min(0.06, Math.max(0, this.snapshot.gripperOpeningMm / 1000));
    for (const side of [-1, 1]) {
      const fingerPose: Pose = {
        positionM: toWorld(tcp, [side * (opening / 2 + 0.006), 0, 0]),
        rotation: tcp.rotation,
      };
      const finger = boxFacets(fingerPose, [0.012, 0.03, 0.02], ARM_ACCENT);
      push(fingerPose.positionM, () => this.drawFacets(finger, { outline: true }));
    }

    function capsule(painter: Painter, a: Vec3, b: Vec3, radius: number, color: Rgb) {
      push(scaleVec3(addVec3(a, b), 0.5), () => painter.drawCapsule(a, b, radius, color));
    }
  }

  // --- labels

  private drawLabels(): void {
    const { ctx, camera } = this;
    const fontPx = Math.max(10, Math.round(camera.heightPx / 36));
    ctx.font = `${fontPx}px "Liberation Sans", "DejaVu Sans", sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const boxHeight = fontPx * 1.3;
    const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
    const anchored = this.snapshot.objects
      .map((object) => ({
        object,
        top: projectPoint(camera, addVec3(object.positionM, [0, 0, footprint(object.shape).height + 0.01])),
      }))
      .filter(
        ({ top }) => top && top.xPx >= 0 && top.xPx <= camera.widthPx && top.yPx >= 0 && top.yPx <= camera.heightPx,
      )
      .sort((p, q) => q.top!.yPx - p.top!.yPx);
    for (const { object, top } of anchored) {
      const text = object.kind.replace('_', ' ');
      const width = ctx.measureText(text).width + fontPx * 0.7;
      const x0 = Math.min(Math.max(0, top!.xPx - width / 2), camera.widthPx - width);
      let y1 = top!.yPx - fontPx * 0.2;
      // Move up past any label already placed, so none overlap.
      for (let moved = true; moved;) {
        moved = false;
        for (const box of placed) {
          if (x0 < box.x1 && x0 + width > box.x0 && y1 - boxHeight < box.y1 && y1 > box.y0) {
            y1 = box.y0 - 1;
            moved = true;
          }
        }
      }
      placed.push({ x0, x1: x0 + width, y0: y1 - boxHeight, y1 });
      ctx.fillStyle = 'rgba(20,20,24,0.66)';
      ctx.beginPath();
      ctx.roundRect(x0, y1 - boxHeight, width, boxHeight, fontPx * 0.3);
      ctx.fill();
      ctx.fillStyle = '#ffffff';
      ctx.fillText(text, x0 + width / 2, y1 - boxHeight / 2);
    }
  }
}

/** Half-extents of an object's footprint on its support and its height (for shadows and labels). */
function footprint(shape: ObjectShape): { a: number; b: number; height: number } {
  switch (shape.type) {
    case 'sphere':
      return { a: shape.radiusM * 0.85, b: shape.radiusM * 0.85, height: 2 * shape.radiusM };
    case 'cylinder':
      return { a: shape.radiusM, b: shape.radiusM, height: shape.heightM };
    case 'box':
      return { a: shape.sizeM[0] / 2, b: shape.sizeM[1] / 2, height: shape.sizeM[2] };
    case 'ellipsoid':
      return { a: shape.radiiM[0] * 0.9, b: shape.radiiM[1] * 0.9, height: 2 * shape.radiiM[2] };
    case 'dish':
      return { a: shape.radiusM * 0.85, b: shape.radiusM * 0.85, height: shape.heightM };
  }
}

/** The centre of an object's volume (its depth key for the painter). */
function objectCentre(object: WorldObject): Vec3 {
  return addVec3(object.positionM, [0, 0, footprint(object.shape).height / 2]);
}
