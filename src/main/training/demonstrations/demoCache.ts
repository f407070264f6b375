import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DemoConfig } from './demoConfig';
import { DemoDataset, type DemoArrays } from './demoDataset';

/** Bump when the samples a config produces change (expert, renderer, rollout), so old caches are not reused. */
const DEMO_FORMAT = 'coach-demos/3';

interface CacheMeta {
  format: string;
  config: DemoConfig;
  camera: DemoArrays['camera'];
  chunkLength: number;
  dims: number;
  size: number;
  instructions: string[];
  shards: number;
  /** The wrist camera's size when the set has its pictures (wrist-K.rgb, wrist-keypoints.f32). */
  wristCamera?: { widthPx: number; heightPx: number };
}

/** The cache folder of a config: its name is a hash of the config and the format. */
export function demoCacheDir(root: string, config: DemoConfig): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ format: DEMO_FORMAT, config }))
    .digest('hex')
    .slice(0, 16);
  return path.join(root, `demos-${hash}`);
}

const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** Writes a dataset into `dir` (replaced as a whole: written beside it, then renamed). */
export async function saveDemoCache(dir: string, config: DemoConfig, dataset: DemoDataset): Promise<void> {
  const { arrays } = dataset;
  const staging = `${dir}.partial-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  await fs.writeFile(path.join(staging, 'sample-instruction.u16'), bytesOf(arrays.sampleInstruction));
  await fs.writeFile(path.join(staging, 'sample-episode.i32'), bytesOf(arrays.sampleEpisode));
  await fs.writeFile(path.join(staging, 'robot-states.f32'), bytesOf(arrays.robotStates));
  await fs.writeFile(path.join(staging, 'actions.f32'), bytesOf(arrays.actions));
  await fs.writeFile(path.join(staging, 'keypoints.f32'), bytesOf(arrays.keypoints));
  for (const [k, shard] of arrays.imageShards.entries())
    await fs.writeFile(path.join(staging, `images-${k}.rgb`), shard);
  if (arrays.wrist) {
    await fs.writeFile(path.join(staging, 'wrist-keypoints.f32'), bytesOf(arrays.wrist.keypoints));
    for (const [k, shard] of arrays.wrist.imageShards.entries())
      await fs.writeFile(path.join(staging, `wrist-${k}.rgb`), shard);
  }
  const meta: CacheMeta = {
    format: DEMO_FORMAT,
    config,
    camera: arrays.camera,
    chunkLength: arrays.chunkLength,
    dims: arrays.dims,
    size: dataset.size,
    instructions: arrays.instructions,
    shards: arrays.imageShards.length,
    ...(arrays.wrist ? { wristCamera: arrays.wrist.camera } : {}),
  };
  await fs.writeFile(path.join(staging, 'meta.json'), JSON.stringify(meta));
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(staging, dir);
}

/** The cached dataset of `config` in `dir`, or null when there is none (or it was made differently). */
export async function loadDemoCache(dir: string, config: DemoConfig): Promise<DemoDataset | null> {
  let meta: CacheMeta;
  try {
    meta = JSON.parse(await fs.readFile(path.join(dir, 'meta.json'), 'utf8')) as CacheMeta;
  } catch {
    return null;
  }
  if (meta.format !== DEMO_FORMAT || JSON.stringify(meta.config) !== JSON.stringify(config)) return null;
  const read = async (name: string) => {
    const buffer = await fs.readFile(path.join(dir, name));
    // A fresh, aligned copy: typed arrays over it need 2- and 4-byte alignment.
    return new Uint8Array(buffer).buffer;
  };
  const shards = async (prefix: string) => {
    const loaded: Uint8Array[] = [];
    for (let k = 0; k < meta.shards; k += 1)
      loaded.push(new Uint8Array(await fs.readFile(path.join(dir, `${prefix}-${k}.rgb`))));
    return loaded;
  };
  const imageShards = await shards('images');
  const wrist = meta.wristCamera && {
    camera: meta.wristCamera,
    keypoints: new Float32Array(await read('wrist-keypoints.f32')),
    imageShards: await shards('wrist'),
  };
  return new DemoDataset({
    ...(wrist ? { wrist } : {}),
    camera: meta.camera,
    chunkLength: meta.chunkLength,
    dims: meta.dims,
    instructions: meta.instructions,
    sampleInstruction: new Uint16Array(await read('sample-instruction.u16')),
    sampleEpisode: new Int32Array(await read('sample-episode.i32')),
    robotStates: new Float32Array(await read('robot-states.f32')),
    actions: new Float32Array(await read('actions.f32')),
    keypoints: new Float32Array(await read('keypoints.f32')),
    imageShards,
  });
}
