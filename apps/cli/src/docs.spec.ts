import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_ROLLOUT_OPTIONS, JOB_FIELDS } from '@berth/domain';
import type { Command } from 'commander';
import type { CliIo } from './context';
import { buildProgram } from './program';

/**
 * Keeps docs/cli.md and docs/job-file.md honest: every command the program
 * registers, every flag it takes, and every job field must be documented.
 * A new command or field fails here until its documentation is written.
 */

const DOCS = resolve(__dirname, '../../../docs');
const cliDoc = readFileSync(resolve(DOCS, 'cli.md'), 'utf8');
const jobDoc = readFileSync(resolve(DOCS, 'job-file.md'), 'utf8');

/** Building the program must not touch the outside world; any use of the io fails the test. */
const noIo = new Proxy({} as CliIo, {
  get: (_target, key) => {
    throw new Error(`buildProgram used io.${String(key)}`);
  },
});
const program = buildProgram(noIo);

/** `## …`/`### …` sections: heading line → the text up to the next heading of the same or a higher level. */
function sections(markdown: string, level: number): Map<string, string> {
  const result = new Map<string, string>();
  const marker = '#'.repeat(level);
  let heading: string | undefined;
  let body: string[] = [];
  const close = () => {
    if (heading !== undefined) result.set(heading, body.join('\n'));
  };
  for (const line of markdown.split('\n')) {
    const match = /^(#+) /.exec(line);
    if (match && (match[1]?.length ?? 0) <= level) {
      close();
      heading = line.startsWith(`${marker} `) ? line : undefined;
      body = [];
    } else body.push(line);
  }
  close();
  return result;
}

/** The section whose heading names `name` in backticks (`berth create`, or `pause` in a heading listing several). */
function sectionFor(all: Map<string, string>, name: string): string | undefined {
  for (const [heading, body] of all) {
    if (heading.includes(`\`berth ${name}\``) || heading.includes(`\`${name}\``)) return body;
  }
  return undefined;
}

/** The flag as a word of its own: `--token` but not `--token-file`. */
function mentions(text: string, flag: string): boolean {
  return new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(text);
}

function longFlags(command: Command): string[] {
  return command.options.map((o) => o.long).filter((flag): flag is string => flag !== undefined && flag !== '--help');
}

describe('docs/cli.md', () => {
  const commandSections = sections(cliDoc, 3);
  const commands = program.commands.filter((c) => c.name() !== 'help');

  it('finds the commands the program registers', () => {
    expect(commands.length).toBeGreaterThan(20);
    expect(commands.map((c) => c.name())).toContain('rolling-update');
  });

  it.each(commands.map((c) => [c.name(), c] as const))('documents berth %s, its subcommands and each flag in its own section', (name, command) => {
    const section = sectionFor(commandSections, name);
    expect({ command: name, documented: section !== undefined }).toEqual({ command: name, documented: true });
    const text = section ?? '';
    const subcommands = command.commands.filter((c) => c.name() !== 'help');
    const missingSubcommands = subcommands.map((c) => `${name} ${c.name()}`).filter((full) => !text.includes(full));
    expect({ command: name, undocumentedSubcommands: missingSubcommands }).toEqual({ command: name, undocumentedSubcommands: [] });
    const missing = [command, ...subcommands].flatMap((c) =>
      longFlags(c)
        .filter((flag) => !mentions(text, flag))
        .map((flag) => (c === command ? flag : `${c.name()} ${flag}`)),
    );
    expect({ command: name, undocumentedFlags: missing }).toEqual({ command: name, undocumentedFlags: [] });
  });

  it('documents every global option', () => {
    const globals = sections(cliDoc, 2).get('## Global options, gateway and token') ?? '';
    const missing = longFlags(program).filter((flag) => !mentions(globals, flag));
    expect(missing).toEqual([]);
  });

  it('documents the environment variables the CLI reads', () => {
    for (const variable of ['BERTH_GATEWAY', 'BERTH_TOKEN', 'BERTH_CONFIG', 'GIT_COMMIT']) expect(cliDoc).toContain(`\`${variable}\``);
  });
});

describe('docs/job-file.md', () => {
  const fieldSections = sections(jobDoc, 3);

  it.each([...JOB_FIELDS])('documents the job field %s in the field table and in its own section', (field) => {
    expect(jobDoc).toContain(`| [\`${field}\`](#`);
    expect({ field, documented: sectionFor(fieldSections, field) !== undefined }).toEqual({ field, documented: true });
  });

  it('documents every rolloutOptions key with its default', () => {
    const section = sectionFor(fieldSections, 'rolloutOptions') ?? '';
    const missing = Object.keys(DEFAULT_ROLLOUT_OPTIONS).filter((key) => !section.includes(`| \`${key}\` |`));
    expect(missing).toEqual([]);
  });
});

describe('docs/README.md', () => {
  const index = readFileSync(resolve(DOCS, 'README.md'), 'utf8');

  it.each(readdirSync(DOCS).filter((f) => f.endsWith('.md') && f !== 'README.md'))('links %s', (page) => {
    expect(index).toContain(`](${page})`);
  });
});
