import { parquetWriteBuffer, type SchemaElement } from 'hyparquet-writer';

/** Column types the exporters write. `?` marks a nullable column; `[]` a list. */
export type ColumnKind =
  | 'float32'
  | 'float64'
  | 'int64'
  | 'boolean'
  | 'string'
  | 'string?'
  | 'float32[]'
  | 'float64[]'
  | 'int64[]'
  | 'string[]'
  | 'float64[][][]';

export interface TableColumn {
  name: string;
  kind: ColumnKind;
  data: unknown[];
}

const LEAF: Record<string, Pick<SchemaElement, 'type' | 'converted_type'>> = {
  float32: { type: 'FLOAT' },
  float64: { type: 'DOUBLE' },
  int64: { type: 'INT64' },
  boolean: { type: 'BOOLEAN' },
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
};

/** Schema elements of one column: a leaf, or a standard 3-level LIST per list depth. */
function columnSchema(column: TableColumn): SchemaElement[] {
  const nullable = column.kind.endsWith('?');
  const base = column.kind.replace('?', '').replace(/(\[\])+$/, '');
  const depth = (column.kind.match(/\[\]/g) ?? []).length;
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  if (depth === 0) return [{ name: column.name, repetition_type, ...LEAF[base] }];
  const elements: SchemaElement[] = [];
  let name = column.name;
  for (let d = 0; d < depth; d++) {
    elements.push(
      { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    );
    name = 'element';
  }
  elements.push({ name: 'element', repetition_type: 'REQUIRED', ...LEAF[base] });
  return elements;
}

/** INT64 values are written from bigints. */
function toBigInts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toBigInts);
  return typeof value === 'number' ? BigInt(Math.round(value)) : value;
}

/** One parquet file, in memory: the exporters write each file in one go. */
export function parquetTableBytes(columns: TableColumn[], kvMetadata: Record<string, string> = {}): Uint8Array {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.flatMap(columnSchema)];
  const columnData = columns.map((c) => ({
    name: c.name,
    data: c.kind.startsWith('int64') ? c.data.map(toBigInts) : c.data,
  }));
  const buffer = parquetWriteBuffer({
    schema,
    columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]['columnData'],
    kvMetadata: Object.entries(kvMetadata).map(([key, value]) => ({ key, value })),
    createdBy: 'coach',
  });
  return new Uint8Array(buffer);
}

/** The `huggingface` metadata datasets uses to type the columns (fixed-length sequences, float32). */
export function huggingfaceFeatures(columns: { name: string; dtype: string; length?: number }[]): string {
  const features: Record<string, unknown> = {};
  for (const c of columns) {
    const value = { dtype: c.dtype, _type: 'Value' };
    features[c.name] = c.length === undefined ? value : { feature: value, length: c.length, _type: 'Sequence' };
  }
  return JSON.stringify({ info: { features } });
}
