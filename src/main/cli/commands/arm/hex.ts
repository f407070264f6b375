export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** Accepts "a5 10 0b", "A5100B", "a5:10:0b" or "0xa5,0x10"; refuses anything else with the offending text. */
export function parseHex(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s,:-]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(cleaned)) {
    const bad = /[^0-9a-fA-F]/.exec(cleaned)?.[0];
    throw new Error(`not hexadecimal: "${bad}" in the input`);
  }
  if (cleaned.length % 2 !== 0) throw new Error('hex input has an odd number of digits');
  const bytes = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(cleaned.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
