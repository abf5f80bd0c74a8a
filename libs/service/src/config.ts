import { readFileSync } from 'node:fs';

/** One setting: its flag, its environment variable, how to parse it, its default. */
export interface Setting<T> {
  readonly flag: string;
  readonly env: string;
  readonly description: string;
  readonly parse: (raw: string) => T;
  readonly default?: T;
  /** how --help shows the default when it is not a plain value or list (e.g. a port range as the flag takes it) */
  readonly defaultText?: string;
}

export type ConfigSchema = Record<string, Setting<unknown>>;
export type ConfigOf<S extends ConfigSchema> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export interface ConfigSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** path of a JSON file with settings by key; also taken from `--config` */
  readonly file?: string;
}

/**
 * Reads configuration once at boot with precedence flags > env > file >
 * default, validates every setting and reports all problems together.
 */
export function loadConfig<S extends ConfigSchema>(schema: S, sources: ConfigSources): ConfigOf<S> {
  const flags = parseFlags(sources.argv);
  const filePath = flags.get('config') ?? sources.file;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const known = new Set(Object.values(schema).map((s) => s.flag));
  const problems: string[] = [...flags.keys()].filter((f) => f !== 'config' && !known.has(f)).map((f) => `unknown flag --${f}`);
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema)) {
    const raw = flags.get(setting.flag) ?? sources.env[setting.env] ?? stringOrUndefined(fromFile[key]);
    if (raw === undefined) {
      if (setting.default === undefined) problems.push(`--${setting.flag} (or ${setting.env}) is required: ${setting.description}`);
      out[key] = setting.default;
      continue;
    }
    try {
      out[key] = setting.parse(raw);
    } catch (err) {
      problems.push(`--${setting.flag} (${setting.env}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      flags.set(arg.slice(2), next !== undefined && !next.startsWith('--') ? (i++, next) : 'true');
    }
  }
  return flags;
}

function readConfigFile(path: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError([`config file ${path}: ${err instanceof Error ? err.message : String(err)}`]);
  }
}

function stringOrUndefined(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

export const parsers = {
  string: (raw: string): string => {
    if (raw.trim() === '') throw new Error('must not be empty');
    return raw;
  },
  port: (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`"${raw}" is not a port (0-65535)`);
    return n;
  },
  positiveInt: (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`"${raw}" is not a positive integer`);
    return n;
  },
  /** one NATS URL or several, comma-separated (servers of one cluster: the client reconnects across them) */
  natsUrl: (raw: string): string => {
    const urls = raw.split(',').map((u) => u.trim());
    for (const url of urls) {
      if (!/^(nats|tls|ws|wss):\/\/[^\s,]+$/.test(url) && !/^[\w.-]+:\d+$/.test(url)) throw new Error(`"${url}" is not a NATS URL`);
    }
    return urls.join(',');
  },
} as const;
