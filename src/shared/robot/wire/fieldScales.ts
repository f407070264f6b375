/** raw = trunc((x + offset) · scale), big-endian uint16 on the wire. */
export interface FieldScale {
  offset: number;
  scale: number;
}

export const FIELD_SCALES = {
  posRad: { offset: 15, scale: 1000 },
  velRadS: { offset: 50, scale: 600 },
  tauNm: { offset: 60, scale: 500 },
  kp: { offset: 1000, scale: 10 },
  kd: { offset: 100, scale: 100 },
} as const satisfies Record<string, FieldScale>;

export type FieldName = keyof typeof FIELD_SCALES;

const UINT16_MAX = 0xffff;

/** The physical range a field can carry without wrapping around. */
export function encodableRange(field: FieldName): [number, number] {
  const { offset, scale } = FIELD_SCALES[field];
  return [-offset, UINT16_MAX / scale - offset];
}

/** Encodes a value already clamped into the encodable range; throws on a value that would wrap. */
export function toRaw(field: FieldName, value: number): number {
  const { offset, scale } = FIELD_SCALES[field];
  const raw = Math.trunc((value + offset) * scale);
  if (!Number.isFinite(raw) || raw < 0 || raw > UINT16_MAX) {
    throw new RangeError(`${field} = ${value} cannot be encoded without wrapping around`);
  }
  return raw;
}

export function fromRaw(field: FieldName, raw: number): number {
  const { offset, scale } = FIELD_SCALES[field];
  return raw / scale - offset;
}

/** One resolution step of a field, in its physical unit. */
export function resolution(field: FieldName): number {
  return 1 / FIELD_SCALES[field].scale;
}
