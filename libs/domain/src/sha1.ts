import { utf8Encode } from './utf8';

const BLOCK_BYTES = 64;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** Message + 0x80 + zeros + 64-bit big-endian bit length, a multiple of 64 bytes. */
function pad(message: Uint8Array): Uint8Array {
  const total = Math.ceil((message.length + 9) / BLOCK_BYTES) * BLOCK_BYTES;
  const padded = new Uint8Array(total);
  padded.set(message);
  padded[message.length] = 0x80;
  const bits = message.length * 8;
  const view = new DataView(padded.buffer);
  view.setUint32(total - 8, Math.floor(bits / 0x100000000));
  view.setUint32(total - 4, bits >>> 0);
  return padded;
}

function roundValue(t: number, b: number, c: number, d: number): number {
  if (t < 20) return ((b & c) | (~b & d)) + 0x5a827999;
  if (t < 40) return (b ^ c ^ d) + 0x6ed9eba1;
  if (t < 60) return ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc;
  return (b ^ c ^ d) + 0xca62c1d6;
}

function compressBlock(h: Int32Array, view: DataView, offset: number, w: Int32Array): void {
  for (let t = 0; t < 16; t++) w[t] = view.getInt32(offset + t * 4);
  for (let t = 16; t < 80; t++) {
    w[t] = rotl((w[t - 3] ?? 0) ^ (w[t - 8] ?? 0) ^ (w[t - 14] ?? 0) ^ (w[t - 16] ?? 0), 1);
  }
  let a = h[0] ?? 0;
  let b = h[1] ?? 0;
  let c = h[2] ?? 0;
  let d = h[3] ?? 0;
  let e = h[4] ?? 0;
  for (let t = 0; t < 80; t++) {
    const temp = (rotl(a, 5) + roundValue(t, b, c, d) + e + (w[t] ?? 0)) | 0;
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] = (h[0] ?? 0) + a;
  h[1] = (h[1] ?? 0) + b;
  h[2] = (h[2] ?? 0) + c;
  h[3] = (h[3] ?? 0) + d;
  h[4] = (h[4] ?? 0) + e;
}

/**
 * SHA-1 (FIPS 180-4) in plain TypeScript: the domain computes Helios job id
 * hashes and may not import node's crypto. Not for security purposes — job ids
 * only need a stable, well-known digest.
 */
export function sha1(input: string | Uint8Array): Uint8Array {
  const padded = pad(typeof input === 'string' ? utf8Encode(input) : input);
  const view = new DataView(padded.buffer);
  const h = Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  const w = new Int32Array(80);
  for (let offset = 0; offset < padded.length; offset += BLOCK_BYTES) compressBlock(h, view, offset, w);
  const digest = new Uint8Array(20);
  const out = new DataView(digest.buffer);
  h.forEach((word, i) => out.setInt32(i * 4, word));
  return digest;
}

/** Lower-case hex of a byte array. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** SHA-1 of a string's UTF-8 bytes (or of raw bytes) as 40 lower-case hex digits. */
export function sha1Hex(input: string | Uint8Array): string {
  return toHex(sha1(input));
}
