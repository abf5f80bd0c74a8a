/**
 * NATS subject tokens may not contain `.`, `*`, `>` or whitespace, and an
 * empty token is invalid. Ids (job ids contain `:` and `.`; host names
 * contain `.`) are encoded so that any string maps to exactly one safe token
 * and back: every byte outside [A-Za-z0-9_:-] becomes `%XX` (uppercase hex of
 * its UTF-8 bytes), like URL encoding with a stricter safe set. `%` itself is
 * encoded, so decoding is unambiguous. The empty string becomes `%`.
 */
const SAFE = /^[A-Za-z0-9_:-]$/;

export function encodeSubjectToken(value: string): string {
  if (value === '') return '%';
  let out = '';
  for (const ch of value) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) {
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

export function decodeSubjectToken(token: string): string {
  if (token === '%') return '';
  if (!/^(?:[A-Za-z0-9_:-]|%[0-9A-F]{2})+$/.test(token)) {
    throw new Error(`not an encoded subject token: ${JSON.stringify(token)}`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    if (token[i] === '%') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
