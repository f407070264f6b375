import fs from 'node:fs/promises';
import path from 'node:path';
import { modelManifestSchema, type ModelManifest } from '../../shared/policy/modelManifest';
import { formatManifestIssues } from './manifestIssues';
import { ModelPackageError, type LoadedModelPackage } from './modelPackageTypes';
import { readOnnxGraphInfo, type OnnxGraphInfo } from './onnxGraphInfo';
import { checkExpertGraph, checkPrefixGraph } from './packageGraphChecks';
import { MANIFEST, packageFolderFiles, TOKENIZER_CONFIG } from './packageFolderFiles';

const WHAT_A_PACKAGE_HOLDS =
  'a model package is a folder holding manifest.json, prefix.onnx, expert.onnx and tokenizer.json';
const { readJsonObject, packageFile, readTokenizer, readTokenizerConfig } = packageFolderFiles(
  (file, problem) => new ModelPackageError(file, problem),
  WHAT_A_PACKAGE_HOLDS,
);

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

async function readManifest(dir: string): Promise<ModelManifest> {
  const raw = await readJsonObject(dir, MANIFEST, null);
  const parsed = modelManifestSchema.safeParse(raw);
  if (!parsed.success) throw new ModelPackageError(MANIFEST, formatManifestIssues(parsed.error, raw));
  return parsed.data;
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
