import fs from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST = 'manifest.json';
export const TOKENIZER_CONFIG = 'tokenizer_config.json';

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/**
 * Reads the files of a package folder (a policy's or a world model's), refusing with `refuse(file, problem)`:
 * the package kind's own error, naming the file at fault. `whatAPackageHolds` ends the message of a missing
 * manifest.
 */
export function packageFolderFiles(refuse: (file: string, problem: string) => Error, whatAPackageHolds: string) {
  async function readJsonObject(dir: string, file: string, field: string | null): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, file), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(file, firstLine(error));
      const named = field ? ` (manifest.json ${field} names it)` : `; ${whatAPackageHolds}`;
      throw refuse(file, `not found in ${dir}${named}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw refuse(file, `is not valid JSON: ${firstLine(error)}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw refuse(file, 'must hold a JSON object');
    return value as Record<string, unknown>;
  }

  return {
    readJsonObject,

    /** The absolute path of a file the manifest names, which must be a file inside the package folder. */
    async packageFile(dir: string, file: string, field: string): Promise<string> {
      const target = path.resolve(dir, file);
      if (path.isAbsolute(file) || path.relative(dir, target).startsWith('..'))
        throw refuse(MANIFEST, `${field} "${file}" must name a file inside the package folder`);
      const stat = await fs.stat(target).catch(() => null);
      if (!stat) throw refuse(file, `not found in ${dir} (manifest.json ${field} names it)`);
      if (!stat.isFile()) throw refuse(file, `is not a file (manifest.json ${field} names it)`);
      return target;
    },

    /** A Hugging Face tokenizer.json the manifest's instruction.tokenizer names. */
    async readTokenizer(dir: string, file: string): Promise<Record<string, unknown>> {
      const json = await readJsonObject(dir, file, 'instruction.tokenizer');
      const model = json.model;
      if (model === null || typeof model !== 'object' || Array.isArray(model))
        throw refuse(
          file,
          'has no "model": it is not a Hugging Face tokenizer.json (write one with tokenizer.save_pretrained())',
        );
      return json;
    },

    /** tokenizer_config.json beside it, when the folder has one. */
    async readTokenizerConfig(dir: string): Promise<Record<string, unknown> | null> {
      const exists = await fs.stat(path.join(dir, TOKENIZER_CONFIG)).catch(() => null);
      return exists ? readJsonObject(dir, TOKENIZER_CONFIG, null) : null;
    },
  };
}
