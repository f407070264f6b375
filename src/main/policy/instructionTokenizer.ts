import { Tokenizer } from '@huggingface/tokenizers';
import type { PackageInstruction } from '../../shared/policy/modelManifest';

/** Token ids and mask as the prefix graph takes them: int64, [1, maxTokens]. */
export interface TokenizedInstruction {
  ids: BigInt64Array;
  mask: BigInt64Array;
  /** Tokens before padding or truncation. */
  length: number;
  truncated: boolean;
}

/**
 * The package's own tokenizer.json (Hugging Face format: the same loader serves Qwen's BPE and a tiny
 * word-level vocabulary), with the package's template, padding and truncation.
 */
export class InstructionTokenizer {
  private readonly tokenizer: Tokenizer;

  constructor(
    tokenizerJson: Record<string, unknown>,
    tokenizerConfig: Record<string, unknown> | null,
    private readonly spec: PackageInstruction,
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig ?? {});
  }

  /** The runner asks for the same instruction every chunk: the last one is kept (copies are handed out). */
  private last: { instruction: string; tokens: TokenizedInstruction } | null = null;

  encode(instruction: string): TokenizedInstruction {
    if (this.last?.instruction !== instruction) this.last = { instruction, tokens: this.encodeText(instruction) };
    const { tokens } = this.last;
    return { ...tokens, ids: tokens.ids.slice(), mask: tokens.mask.slice() };
  }

  private encodeText(instruction: string): TokenizedInstruction {
    let text = this.spec.template ? this.spec.template.replace('{instruction}', instruction) : instruction;
    if (this.spec.lowercase) text = text.toLowerCase();
    const encoded = this.tokenizer.encode(text);
    const max = this.spec.maxTokens;
    const ids = new BigInt64Array(max).fill(BigInt(this.spec.padTokenId));
    const mask = new BigInt64Array(max);
    const count = Math.min(max, encoded.ids.length);
    for (let i = 0; i < count; i += 1) {
      ids[i] = BigInt(encoded.ids[i]!);
      mask[i] = 1n;
    }
    return { ids, mask, length: encoded.ids.length, truncated: encoded.ids.length > max };
  }
}
