import { OBJECT_CATALOG } from '../../../shared/sim/world/objectCatalog';
import { OBJECT_KINDS } from '../../../shared/sim/worldTypes';

export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';

/** The words of the sim's instructions (see parseInstruction in tasks.ts), before the object names. */
const INSTRUCTION_WORDS = [
  'put',
  'place',
  'pick',
  'up',
  'move',
  'the',
  'in',
  'into',
  'inside',
  'on',
  'onto',
  'near',
  'next',
  'to',
  'close',
];

/** [PAD] = 0, [UNK] = 1, the instruction words, then each word of the object names once. */
export function testVocabulary(): string[] {
  const words = [PAD_TOKEN, UNK_TOKEN, ...INSTRUCTION_WORDS];
  for (const kind of OBJECT_KINDS) {
    for (const word of OBJECT_CATALOG[kind].name.split(' ')) if (!words.includes(word)) words.push(word);
  }
  return words;
}

/**
 * tokenizer.json in Hugging Face format: a WordLevel model over the vocabulary, split on whitespace
 * and punctuation, lower-cased first. Unknown words become [UNK].
 */
export function buildTestTokenizer(): Record<string, unknown> {
  const vocabulary = testVocabulary();
  const special = (content: string, id: number) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(PAD_TOKEN, 0), special(UNK_TOKEN, 1)],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: {
      type: 'WordLevel',
      vocab: Object.fromEntries(vocabulary.map((word, id) => [word, id])),
      unk_token: UNK_TOKEN,
    },
  };
}

/** tokenizer_config.json: names the special tokens (tokenizers.js takes [UNK]'s id from here). */
export function buildTestTokenizerConfig(maxTokens: number): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: maxTokens,
    pad_token: PAD_TOKEN,
    unk_token: UNK_TOKEN,
    clean_up_tokenization_spaces: false,
  };
}
