import { sha1, sha1Hex, toHex } from './sha1';
import { utf8Encode } from './utf8';

describe('sha1Hex', () => {
  it.each([
    // FIPS 180 / RFC 3174 published vectors
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
    ['The quick brown fox jumps over the lazy dog', '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12'],
  ])('hashes %j to the published digest', (input, expected) => {
    expect(sha1Hex(input)).toBe(expected);
  });

  it('hashes one million "a" (the long FIPS vector)', () => {
    expect(sha1Hex('a'.repeat(1_000_000))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  // Lengths around the padding boundaries (55/56 bytes: length fits or spills into a new block; 64: exact block).
  // Expected values computed once with node's crypto.createHash('sha1').
  it.each([
    [55, 'c1c8bbdc22796e28c0e15163d20899b65621d65a'],
    [56, 'c2db330f6083854c99d4b5bfb6e8f29f201be699'],
    [63, '03f09f5b158a7a8cdad920bddc29b81c18a551f5'],
    [64, '0098ba824b5c16427bd7a1122a5a442a25ec644d'],
    [65, '11655326c708d70319be2610e8a57d9a5b959d3b'],
  ])('pads a %i-byte message correctly', (length, expected) => {
    expect(sha1Hex('a'.repeat(length))).toBe(expected);
  });

  it('hashes the UTF-8 bytes of non-ASCII text (2-, 3- and 4-byte sequences)', () => {
    // node -e "console.log(require('crypto').createHash('sha1').update('é€😀').digest('hex'))"
    expect(sha1Hex('é€😀')).toBe('c18ebd62bacc0aac83670707d9204486ec605731');
  });

  it('treats a lone surrogate as U+FFFD, like node', () => {
    // node: createHash('sha1').update(Buffer.from('a\ud800b', 'utf8'))
    expect(sha1Hex('a\ud800b')).toBe('c3693aea616c886c93746deab3d42921ca20f04e');
  });

  it('hashes raw bytes the same as the string they encode', () => {
    expect(sha1Hex(Uint8Array.from([0x61, 0x62, 0x63]))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(sha1('abc')).toHaveLength(20);
  });
});

describe('utf8Encode', () => {
  it('encodes 1- to 4-byte code points', () => {
    expect(toHex(utf8Encode('aé€😀'))).toBe('61' + 'c3a9' + 'e282ac' + 'f09f9880');
  });

  it('encodes the boundaries of each length', () => {
    expect(toHex(utf8Encode('\u007f\u0080\u07ff\u0800\uffff'))).toBe('7f' + 'c280' + 'dfbf' + 'e0a080' + 'efbfbf');
    expect(toHex(utf8Encode('\u{10000}\u{10ffff}'))).toBe('f0908080' + 'f48fbfbf');
  });

  it('replaces lone high and low surrogates, also at the end', () => {
    expect(toHex(utf8Encode('\udc00x\ud800'))).toBe('efbfbd' + '78' + 'efbfbd');
  });
});
