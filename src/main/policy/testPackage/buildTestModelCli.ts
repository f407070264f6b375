import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TEST_PACKAGE, buildTestModelPackage, type TestModelPackageOptions } from './buildTestModelPackage';

/** Where `npm run model:test-package` writes by default, relative to the repository root. */
export const COMMITTED_TEST_PACKAGE_DIR = path.join('resources', 'models', 'coach-test');

export const BUILD_TEST_MODEL_USAGE = `Usage: npm run model:test-package -- [--out DIR] [--variant embedding|kv] [--hidden N] [--layers N]
                                      [--seed N] [--name NAME]

  Writes an untrained model package with random, fixed weights (the same options give the same bytes).
  Without options it rebuilds ${COMMITTED_TEST_PACKAGE_DIR}/ (embedding variant, hidden ${DEFAULT_TEST_PACKAGE.hiddenSize}, ${DEFAULT_TEST_PACKAGE.expertLayers} layers).
  --variant kv gives a NORA-1.5-shaped package (per-layer K/V context); about 10 M parameters:
    --variant kv --hidden 384 --layers 8
`;

function wholeNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} must be a whole number, got "${text}"`);
  return value;
}

/** Reads the script's flags; throws with the problem on a bad one. */
export function parseBuildTestModelArgs(argv: string[]): { out: string; options: TestModelPackageOptions } {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      variant: { type: 'string' },
      hidden: { type: 'string' },
      layers: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
    },
  });
  const variant = values.variant ?? DEFAULT_TEST_PACKAGE.variant;
  if (variant !== 'embedding' && variant !== 'kv')
    throw new Error(`--variant must be "embedding" or "kv", got "${variant}"`);
  return {
    out: values.out ?? COMMITTED_TEST_PACKAGE_DIR,
    options: {
      variant,
      hiddenSize: wholeNumber('--hidden', values.hidden, DEFAULT_TEST_PACKAGE.hiddenSize),
      expertLayers: wholeNumber('--layers', values.layers, DEFAULT_TEST_PACKAGE.expertLayers),
      seed: wholeNumber('--seed', values.seed, DEFAULT_TEST_PACKAGE.seed),
      name: values.name ?? DEFAULT_TEST_PACKAGE.name,
    },
  };
}

/** `npm run model:test-package`: builds a test package; returns the exit code. */
export async function runBuildTestModel(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BUILD_TEST_MODEL_USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseBuildTestModelArgs(argv);
  } catch (error) {
    process.stderr.write(`build-test-model: ${(error as Error).message}\n\n${BUILD_TEST_MODEL_USAGE}`);
    return 2;
  }
  try {
    const written = await buildTestModelPackage(parsed.out, parsed.options);
    const { variant, hiddenSize, expertLayers } = parsed.options;
    process.stdout.write(`wrote ${variant} test package (hidden ${hiddenSize}, ${expertLayers} layers):\n`);
    for (const file of written) process.stdout.write(`  ${file}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`build-test-model: ${(error as Error).message}\n`);
    return 1;
  }
}
