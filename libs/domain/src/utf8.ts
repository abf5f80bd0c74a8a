/** U+FFFD: what a lone surrogate becomes, exactly as TextEncoder does it. */
const REPLACEMENT_CHARACTER = 0xfffd;

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function pushCodePoint(bytes: number[], cp: number): void {
  if (cp < 0x80) {
    bytes.push(cp);
  } else if (cp < 0x800) {
    bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
}

/**
 * UTF-8 bytes of a JS string. Written by hand because the domain may use
 * neither TextEncoder (not in the ES lib) nor Buffer (node). Lone surrogates
 * are encoded as U+FFFD, like TextEncoder and Buffer, so hashes agree with
 * node's crypto on every string.
 */
export function utf8Encode(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
    if (isHighSurrogate(unit) && isLowSurrogate(next)) {
      pushCodePoint(bytes, 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00));
      i++;
    } else if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      pushCodePoint(bytes, REPLACEMENT_CHARACTER);
    } else {
      pushCodePoint(bytes, unit);
    }
  }
  return Uint8Array.from(bytes);
}
