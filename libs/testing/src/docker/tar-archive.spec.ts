import { execFileSync } from 'node:child_process';
import { tarArchive } from './tar-archive';

describe('tarArchive', () => {
  it('writes directories, files and symlinks that tar reads back', () => {
    const archive = tarArchive(
      [
        { type: 'directory', path: 'bin' },
        { type: 'directory', path: 'tmp', mode: 0o1777 },
        { type: 'file', path: 'bin/hello', content: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
        { type: 'symlink', path: 'bin/hi', target: 'hello' },
        { type: 'file', path: `${'d'.repeat(80)}/${'f'.repeat(60)}`, content: Buffer.alloc(1000, 1) },
      ],
      1_700_000_000,
    );
    expect(archive.length % 512).toBe(0);

    const listing = execFileSync('tar', ['-tvf', '-', '--numeric-owner'], { input: archive, encoding: 'utf8' });
    const lines = listing.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^drwxr-xr-x 0\/0 +0 .* bin\/$/);
    expect(lines[1]).toMatch(/^drwxrwxrwt 0\/0 .* tmp\/$/);
    expect(lines[2]).toMatch(/^-rwxr-xr-x 0\/0 +18 .* bin\/hello$/);
    expect(lines[3]).toMatch(/^lrwxrwxrwx 0\/0 .* bin\/hi -> hello$/);
    expect(lines[4]).toContain(` 1000 `);
    expect(lines[4]).toContain(`${'d'.repeat(80)}/${'f'.repeat(60)}`);

    const content = execFileSync('tar', ['-xOf', '-', 'bin/hello'], { input: archive, encoding: 'utf8' });
    expect(content).toBe('#!/bin/sh\necho hi\n');
  });

  it('refuses a name that ustar cannot hold', () => {
    expect(() => tarArchive([{ type: 'file', path: 'x'.repeat(101), content: Buffer.alloc(0) }])).toThrow(/too long/);
  });
});
