const PRINT_WIDTH = 120;

/**
 * JSON as Prettier prints it with this repo's settings, so generated files pass `prettier --check`
 * and `npm run format` leaves them byte-for-byte alone: objects one key per line, arrays of plain
 * values on one line when the line fits in 120 columns, otherwise one value per line.
 */
export function formatJson(value: unknown): string {
  return `${print(value, '', 0)}\n`;
}

/** `lead`: columns taken on the value's first line before it; +1 after it for a comma. */
function print(value: unknown, indent: string, lead: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (lead + flat.length + 1 <= PRINT_WIDTH) return flat;
      // Prettier packs long arrays of numbers several to a line; the generated files have none.
      if (value.some((item) => typeof item === 'number'))
        throw new RangeError('formatJson does not lay out long arrays of numbers');
    }
    return `[\n${value.map((item) => `${inner}${print(item, inner, inner.length)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(([key, item]) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    return `${head}${print(item, inner, head.length)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}
