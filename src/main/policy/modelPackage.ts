import fs from 'node:fs/promises';
import path from 'node:path';
import { modelManifestSchema, type ModelManifest } from '../../shared/policy/modelManifest';
import { formatManifestIssues } from './manifestIssues';
import { ModelPackageError, type LoadedModelPackage } from './modelPackageTypes';
import { readOnnxGraphInfo, type OnnxGraphInfo } from './onnxGraphInfo';
import { checkExpertGraph, checkPrefixGraph } from './packageGraphChecks';

const MANIFEST = 'manifest.json';
const TOKENIZER_CONFIG = 'tokenizer_config.json';
const WHAT_A_PACKAGE_HOLDS =
  'a model package is a folder holding manifest.json, prefix.onnx, expert.onnx and tokenizer.json';

/** A file of the package with its size, for inspection. */
export interface ModelPackageFile {
  /** Its name in the package folder. */
  file: string;
  bytes: number;
}

/** A validated package plus what the validator read of its graphs. */
export interface ModelPackageInspection {
  pkg: LoadedModelPackage;
  prefix: OnnxGraphInfo;
  expert: OnnxGraphInfo;
  files: ModelPackageFile[];
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

async function readJsonObject(dir: string, file: string, field: string | null): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ModelPackageError(file, firstLine(error));
    const named = field ? ` (manifest.json ${field} names it)` : `; ${WHAT_A_PACKAGE_HOLDS}`;
    throw new ModelPackageError(file, `not found in ${dir}${named}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelPackageError(file, `is not valid JSON: ${firstLine(error)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ModelPackageError(file, 'must hold a JSON object');
  return value as Record<string, unknown>;
}

/** The absolute path of a file the manifest names, which must be a file inside the package folder. */
async function packageFile(dir: string, file: string, field: string): Promise<string> {
  const target = path.resolve(dir, file);
  if (path.isAbsolute(file) || path.relative(dir, target).startsWith('..'))
    throw new ModelPackageError(MANIFEST, `${field} "${file}" must name a file inside the package folder`);
  const stat = await fs.stat(target).catch(() => null);
  if (!stat) throw new ModelPackageError(file, `not found in ${dir} (manifest.json ${field} names it)`);
  if (!stat.isFile()) throw new ModelPackageError(file, `is not a file (manifest.json ${field} names it)`);
  return target;
}

async function readManifest(dir: string): Promise<ModelManifest> {
  const raw = await readJsonObject(dir, MANIFEST, null);
  const parsed = modelManifestSchema.safeParse(raw);
  if (!parsed.success) throw new ModelPackageError(MANIFEST, formatManifestIssues(parsed.error, raw));
  return parsed.data;
}

async function readTokenizer(dir: string, file: string): Promise<Record<string, unknown>> {
  const json = await readJsonObject(dir, file, 'instruction.tokenizer');
  const model = json.model;
  if (model === null || typeof model !== 'object' || Array.isArray(model))
    throw new ModelPackageError(
      file,
      'has no "model": it is not a Hugging Face tokenizer.json (write one with tokenizer.save_pretrained())',
    );
  return json;
}

async function readTokenizerConfig(dir: string): Promise<Record<string, unknown> | null> {
  const exists = await fs.stat(path.join(dir, TOKENIZER_CONFIG)).catch(() => null);
  return exists ? readJsonObject(dir, TOKENIZER_CONFIG, null) : null;
}

async function fileSizes(dir: string, files: readonly string[]): Promise<ModelPackageFile[]> {
  return Promise.all(files.map(async (file) => ({ file, bytes: (await fs.stat(path.join(dir, file))).size })));
}

/**
 * Validates a model package folder (docs/model-package.md) and says what it holds. Refuses anything
 * Coach could not run with a ModelPackageError naming the file at fault and the problem: missing
 * files, a manifest that breaks the schema, a graph that does not parse, or graph inputs and outputs
 * that contradict the manifest. Reads the graphs' structure only; onnxruntime loads them later.
 */
export async function inspectModelPackage(folder: string): Promise<ModelPackageInspection> {
  const dir = path.resolve(folder);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat) throw new ModelPackageError(dir, `no such folder; ${WHAT_A_PACKAGE_HOLDS}`);
  if (!stat.isDirectory()) throw new ModelPackageError(dir, `is a file, not a folder; ${WHAT_A_PACKAGE_HOLDS}`);

  const manifest = await readManifest(dir);
  const prefixPath = await packageFile(dir, manifest.prefix.file, 'prefix.file');
  const expertPath = await packageFile(dir, manifest.expert.file, 'expert.file');
  const tokenizerPath = await packageFile(dir, manifest.instruction.tokenizer, 'instruction.tokenizer');
  const tokenizerJson = await readTokenizer(dir, manifest.instruction.tokenizer);
  const tokenizerConfig = await readTokenizerConfig(dir);

  const prefix = await readOnnxGraphInfo(prefixPath, manifest.prefix.file);
  checkPrefixGraph(manifest.prefix.file, manifest, prefix);
  const expert = await readOnnxGraphInfo(expertPath, manifest.expert.file);
  checkExpertGraph(manifest.expert.file, manifest, expert, prefix);

  const files = await fileSizes(dir, [
    MANIFEST,
    manifest.prefix.file,
    ...prefix.externalDataFiles.map((file) => path.join(path.dirname(manifest.prefix.file), file)),
    manifest.expert.file,
    ...expert.externalDataFiles.map((file) => path.join(path.dirname(manifest.expert.file), file)),
    manifest.instruction.tokenizer,
    ...(tokenizerConfig ? [TOKENIZER_CONFIG] : []),
  ]);
  const pkg: LoadedModelPackage = {
    dir,
    manifest,
    prefixPath,
    expertPath,
    tokenizerPath,
    tokenizerJson,
    tokenizerConfig,
    parameterCount: prefix.parameterCount + expert.parameterCount,
  };
  return { pkg, prefix, expert, files };
}

/** Validates a model package folder and returns it ready for onnxruntime (see inspectModelPackage). */
export async function loadModelPackage(dir: string): Promise<LoadedModelPackage> {
  return (await inspectModelPackage(dir)).pkg;
}
