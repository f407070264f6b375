/**
 * Packs a JSON-like value that contains typed arrays into one binary message
 * without base64: [u32 LE header length][UTF-8 JSON header][blob bytes…].
 * Typed arrays are replaced in the header by {"$blob": index}.
 */

const BLOB_KEY = '$blob';

type TypedArrayName =
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int8Array'
  | 'Uint16Array'
  | 'Int16Array'
  | 'Uint32Array'
  | 'Int32Array'
  | 'Float32Array'
  | 'Float64Array';

const typedArrayCtors: Record<
  TypedArrayName,
  { new (buffer: ArrayBuffer): ArrayBufferView; BYTES_PER_ELEMENT: number }
> = {
  Uint8Array,
  Uint8ClampedArray,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
};

interface BlobDescriptor {
  type: TypedArrayName;
  byteLength: number;
}

function typedArrayName(view: ArrayBufferView): TypedArrayName | null {
  const name = view.constructor.name;
  // Node's Buffer is a Uint8Array subclass.
  if (name === 'Buffer') return 'Uint8Array';
  return name in typedArrayCtors ? (name as TypedArrayName) : null;
}

/** True when the value holds at least one typed array (so it should travel as binary). */
export function containsBinary(value: unknown): boolean {
  if (ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) return value.some(containsBinary);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsBinary);
  return false;
}

export function encodeBinaryEnvelope(header: Record<string, unknown>): Uint8Array {
  const blobs: ArrayBufferView[] = [];
  const descriptors: BlobDescriptor[] = [];
  // A Buffer's toJSON runs before the replacer sees it; look at the holder's original value instead.
  const json = JSON.stringify(header, function (this: Record<string, unknown>, key: string, replaced: unknown) {
    const value = key === '' ? replaced : this[key];
    if (ArrayBuffer.isView(value)) {
      const type = typedArrayName(value);
      if (!type) throw new TypeError(`cannot send a ${value.constructor.name} over the contract`);
      descriptors.push({ type, byteLength: value.byteLength });
      blobs.push(value);
      return { [BLOB_KEY]: blobs.length - 1 };
    }
    return replaced;
  });
  const headerBytes = new TextEncoder().encode(JSON.stringify({ blobs: descriptors, body: JSON.parse(json) }));
  const total = 4 + headerBytes.byteLength + descriptors.reduce((sum, d) => sum + d.byteLength, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 4);
  let offset = 4 + headerBytes.byteLength;
  for (const view of blobs) {
    out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), offset);
    offset += view.byteLength;
  }
  return out;
}

export function decodeBinaryEnvelope(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.byteLength < 4) throw new Error('binary message shorter than its 4-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) throw new Error('binary message header runs past the end of the message');
  const parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as {
    blobs?: BlobDescriptor[];
    body?: unknown;
  };
  if (!Array.isArray(parsed.blobs) || typeof parsed.body !== 'object' || parsed.body === null) {
    throw new Error('binary message header lacks its blob table or body');
  }
  const blobs: ArrayBufferView[] = [];
  let offset = 4 + headerLength;
  for (const descriptor of parsed.blobs) {
    const ctor = typedArrayCtors[descriptor.type];
    if (!ctor || !Number.isInteger(descriptor.byteLength) || descriptor.byteLength < 0) {
      throw new Error(`binary message has an invalid blob descriptor ${JSON.stringify(descriptor)}`);
    }
    if (offset + descriptor.byteLength > bytes.byteLength) throw new Error('binary message blob runs past the end');
    if (descriptor.byteLength % ctor.BYTES_PER_ELEMENT !== 0)
      throw new Error(`blob length does not fit ${descriptor.type}`);
    // Copy so every array owns an aligned buffer of its own.
    const copy = bytes.slice(offset, offset + descriptor.byteLength).buffer;
    blobs.push(new ctor(copy));
    offset += descriptor.byteLength;
  }
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === BLOB_KEY && typeof record[BLOB_KEY] === 'number') {
        const blob = blobs[record[BLOB_KEY]];
        if (!blob) throw new Error(`binary message refers to missing blob ${String(record[BLOB_KEY])}`);
        return blob;
      }
      return Object.fromEntries(keys.map((key) => [key, revive(record[key])]));
    }
    return value;
  };
  return revive(parsed.body) as Record<string, unknown>;
}
