import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findAppPackage } from '../../../appPaths';
import { loadArmChain } from '../../../robot/urdf/loadUrdf';
import { findCamera, renderCamera } from '../../../sim/render/sceneRenderer';
import { generateScene } from '../../../../shared/sim/world';

export const SIM_USAGE = `Usage: coach sim <command>

  render --task "<instruction>" --seed N --out FILE.png [--camera scene|wrist] [--width 640 --height 480] [--labels]
         draw one synthetic camera's picture of a generated scene (PNG, or JPEG for .jpg/.jpeg)
         --labels writes object names on the picture (never in the policy's images)
`;

class SimUsageError extends Error {}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new SimUsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** Refuses an --out the picture cannot be written to, before rendering. */
function checkOutPath(out: string): { file: string; format: 'png' | 'jpeg' } {
  const file = path.resolve(out);
  const extension = path.extname(file).toLowerCase();
  const format = extension === '.png' ? 'png' : extension === '.jpg' || extension === '.jpeg' ? 'jpeg' : null;
  if (!format) throw new SimUsageError(`--out must end in .png, .jpg or .jpeg, got "${out}"`);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`cannot write ${file}: folder ${dir} does not exist; create it or choose another --out`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new Error(`cannot write ${file}: it is a folder; give a file name such as ${path.join(file, 'scene.png')}`);
  }
  try {
    fs.accessSync(fs.existsSync(file) ? file : dir, fs.constants.W_OK);
  } catch {
    throw new Error(`cannot write ${file}: permission denied; choose a writable --out`);
  }
  return { file, format };
}

async function runRender(argv: string[], out: (line: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        task: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        camera: { type: 'string', default: 'scene' },
        width: { type: 'string' },
        height: { type: 'string' },
        labels: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new SimUsageError((error as Error).message);
  }
  const { values } = parsed;
  if (!values.task?.trim())
    throw new SimUsageError('--task "<instruction>" is required, e.g. --task "put the grape on the plate"');
  if (values.seed === undefined) throw new SimUsageError('--seed N is required (a whole number, e.g. --seed 7)');
  const seed = wholeNumber('seed', values.seed, 0, 0, 2 ** 32 - 1);
  if (!values.out) throw new SimUsageError('--out FILE.png is required');
  const width = wholeNumber('width', values.width, 640, 16, 4096);
  const height = wholeNumber('height', values.height, 480, 16, 4096);
  const { file, format } = checkOutPath(values.out);

  const snapshot = generateScene(seed, { instruction: values.task });
  try {
    findCamera(snapshot, values.camera);
  } catch (error) {
    throw new SimUsageError(`--camera: ${(error as Error).message}`);
  }
  const chain = loadArmChain(findAppPackage(__dirname).root);
  const canvas = renderCamera(snapshot, chain, values.camera, width, height, { labels: values.labels });
  const bytes = format === 'png' ? canvas.encodeSync('png') : canvas.encodeSync('jpeg', 90);
  try {
    fs.writeFileSync(file, bytes);
  } catch (error) {
    throw new Error(`cannot write ${file}: ${(error as Error).message}; choose a writable --out`);
  }
  const objects = snapshot.objects.map((object) => object.kind).join(', ');
  out(`wrote ${file} (${width}×${height} ${format}, camera ${values.camera}, seed ${seed}; objects: ${objects})`);
  return 0;
}

/** `coach sim …`: the simulated tabletop's synthetic cameras. */
export async function runSimCommand(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'render':
        return await runRender(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(SIM_USAGE);
        return sub === undefined ? 2 : 0;
      default:
        process.stderr.write(`coach sim: unknown command "${sub}"\n\n${SIM_USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof SimUsageError) {
      process.stderr.write(`coach sim ${sub}: ${error.message}\n\n${SIM_USAGE}`);
      return 2;
    }
    process.stderr.write(`coach sim ${sub}: ${(error as Error).message}\n`);
    return 1;
  }
}
