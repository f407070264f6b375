import { parseArgs } from 'node:util';
import { inspectModelPackage, type ModelPackageInspection } from '../../policy/modelPackage';
import { ModelPackageError } from '../../policy/modelPackageTypes';
import type { GraphTensor } from '../../policy/onnxGraphInfo';
import { showShape } from '../../policy/packageGraphChecks';

export const MODEL_USAGE = `Usage: coach model inspect DIR [--json]

  Checks a model package folder (manifest.json, prefix.onnx, expert.onnx, tokenizer.json; see
  docs/model-package.md) and describes it: action space, chunk, cameras, how the prefix's outputs
  feed the expert, parameters and file sizes. Exits 1 with the problem when Coach would refuse it.
  --json      print machine-readable JSON
`;

const tensorOf = (tensors: readonly GraphTensor[], name: string) => tensors.find((tensor) => tensor.name === name);

function tokenizerSummary(json: Record<string, unknown>): { model: string; vocabSize: number | null } {
  const model = json.model as { type?: unknown; vocab?: unknown };
  const vocab = model.vocab;
  const vocabSize = Array.isArray(vocab)
    ? vocab.length
    : vocab && typeof vocab === 'object'
      ? Object.keys(vocab).length
      : null;
  return { model: typeof model.type === 'string' ? model.type : 'unknown', vocabSize };
}

/** What `coach model inspect --json` prints. */
export function describeModelPackage(inspection: ModelPackageInspection) {
  const { pkg, prefix, expert, files } = inspection;
  const { manifest } = pkg;
  const { action, instruction } = manifest;
  return {
    dir: pkg.dir,
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    trained: manifest.trained,
    action: {
      space: action.space,
      chunkLength: action.chunkLength,
      dims: action.dims,
      names: action.names,
      gripper: action.gripper,
      normalization: action.normalization,
    },
    flowSteps: manifest.flow.steps,
    controlRateHz: manifest.control.rateHz,
    cameras: manifest.cameras,
    instruction: {
      idsInput: instruction.idsInput,
      maskInput: instruction.maskInput ?? null,
      maxTokens: instruction.maxTokens,
      tokenizer: { file: instruction.tokenizer, ...tokenizerSummary(pkg.tokenizerJson) },
    },
    context: Object.entries(manifest.expert.context).map(([expertInput, prefixOutput]) => {
      const tensor = tensorOf(prefix.outputs, prefixOutput);
      return { prefixOutput, expertInput, elemType: tensor?.elemType ?? null, dims: tensor?.dims ?? null };
    }),
    parameters: { total: pkg.parameterCount, prefix: prefix.parameterCount, expert: expert.parameterCount },
    opset: { prefix: prefix.opsetVersion, expert: expert.opsetVersion },
    files,
  };
}

const formatBytes = (bytes: number) =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;
const count = (n: number) => n.toLocaleString('en-US');

/** The readable summary, one line per aspect. */
export function formatModelPackage(inspection: ModelPackageInspection): string[] {
  const info = describeModelPackage(inspection);
  const { action } = info;
  const lines = [
    `${info.name} ${info.version}${info.trained ? '' : ' — UNTRAINED (random or fixed weights; for testing only)'}`,
    `  folder       ${info.dir}`,
  ];
  if (info.description) lines.push(`  description  ${info.description}`);
  lines.push(
    `  action       ${action.space}, chunks of ${action.chunkLength} × ${action.dims} dims: ${action.names.join(', ')}`,
    `  gripper      dim ${action.gripper.dim}: ${action.gripper.closedValue} closed … ${action.gripper.openValue} open`,
    `  flow         ${info.flowSteps} Euler steps per chunk; actions run at ${info.controlRateHz} Hz`,
  );
  for (const camera of info.cameras) {
    lines.push(
      `  camera       ${camera.name} → ${camera.input}: ${camera.dtype} ${camera.layout} ${camera.widthPx}×${camera.heightPx}` +
        ` (mean ${camera.mean.join('/')}, std ${camera.std.join('/')})`,
    );
  }
  const { tokenizer } = info.instruction;
  const mask = info.instruction.maskInput ? ` + ${info.instruction.maskInput}` : '';
  const vocab = tokenizer.vocabSize === null ? '' : `, ${count(tokenizer.vocabSize)} tokens`;
  lines.push(
    `  instruction  ${info.instruction.idsInput}${mask} [1, ${info.instruction.maxTokens}]; ${tokenizer.file} (${tokenizer.model}${vocab})`,
  );
  lines.push(
    `  context      ${info.context.length} tensor${info.context.length === 1 ? '' : 's'}, prefix output → expert input:`,
  );
  for (const item of info.context) {
    const shape = `${item.elemType ?? '?'} ${showShape(item.dims)}`;
    lines.push(`                 ${item.prefixOutput} → ${item.expertInput}  ${shape}`);
  }
  const { parameters } = info;
  lines.push(
    `  parameters   ${count(parameters.total)} (prefix ${count(parameters.prefix)}, expert ${count(parameters.expert)})`,
    `  files        ${info.files.map((file) => `${file.file} ${formatBytes(file.bytes)}`).join(', ')}`,
  );
  return lines;
}

/** `coach model inspect DIR [--json]`. */
export async function runModelCommand(
  argv: string[],
  inspect: (dir: string) => Promise<ModelPackageInspection> = inspectModelPackage,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        // Every coach command takes --data; inspecting a package needs no data folder.
        data: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`coach model: ${(error as Error).message}\n\n${MODEL_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(MODEL_USAGE);
    return 0;
  }
  const [subcommand, dir, ...extra] = positionals;
  if (subcommand !== 'inspect' || !dir || extra.length > 0) {
    const problem =
      subcommand !== 'inspect'
        ? subcommand
          ? `unknown subcommand "${subcommand}"`
          : 'missing subcommand'
        : !dir
          ? 'inspect needs the package folder'
          : `unexpected arguments: ${extra.join(' ')}`;
    process.stderr.write(`coach model: ${problem}\n\n${MODEL_USAGE}`);
    return 2;
  }
  try {
    const inspection = await inspect(dir);
    const text = values.json
      ? JSON.stringify(describeModelPackage(inspection), null, 2)
      : formatModelPackage(inspection).join('\n');
    process.stdout.write(`${text}\n`);
    return 0;
  } catch (error) {
    const message =
      error instanceof ModelPackageError ? error.message : `cannot inspect ${dir}: ${(error as Error).message}`;
    process.stderr.write(`coach model inspect: ${message}\n`);
    return 1;
  }
}
