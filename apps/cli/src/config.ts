import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './errors';

export const DEFAULT_GATEWAY = 'http://127.0.0.1:8080';

export interface CliConfig {
  readonly gateway: string;
  /** the API token, sent as `Authorization: Bearer …` (HTTP) and as the graphql-ws connection param */
  readonly token?: string;
}

export interface ConfigSources {
  readonly flags: { readonly gateway?: string; readonly tokenFile?: string };
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string | undefined;
}

/** `~/.berth/config.json`, or `BERTH_CONFIG`. */
export function configFilePath(env: Readonly<Record<string, string | undefined>>): string {
  return env['BERTH_CONFIG'] ?? join(env['HOME'] ?? homedir(), '.berth', 'config.json');
}

/**
 * Gateway URL and token, each from flag > environment > config file > default:
 * the token from `--token-file`, else `BERTH_TOKEN`, else the config file's
 * `token` or `tokenFile`.
 */
export function resolveConfig({ flags, env, readFile }: ConfigSources): CliConfig {
  const file = readConfigFile(configFilePath(env), readFile);
  const gateway = (flags.gateway ?? env['BERTH_GATEWAY'] ?? file.gateway ?? DEFAULT_GATEWAY).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(gateway)) throw new UsageError(`invalid gateway URL "${gateway}": expected http(s)://host:port`);
  const fromFile = (path: string): string => {
    const text = readFile(path);
    if (text === undefined) throw new UsageError(`cannot read token file ${path}`);
    return text.trim();
  };
  const envToken = env['BERTH_TOKEN'] === '' ? undefined : env['BERTH_TOKEN'];
  let token: string | undefined;
  if (flags.tokenFile !== undefined) token = fromFile(flags.tokenFile);
  else if (envToken !== undefined) token = envToken;
  else if (file.token !== undefined) token = file.token;
  else if (file.tokenFile !== undefined) token = fromFile(file.tokenFile);
  return { gateway, ...(token ? { token } : {}) };
}

function readConfigFile(path: string, readFile: (path: string) => string | undefined): { gateway?: string; token?: string; tokenFile?: string } {
  const text = readFile(path);
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`config file ${path} must hold a JSON object`);
  const { gateway, token, tokenFile } = parsed as Record<string, unknown>;
  return {
    ...(typeof gateway === 'string' ? { gateway } : {}),
    ...(typeof token === 'string' && token !== '' ? { token } : {}),
    ...(typeof tokenFile === 'string' ? { tokenFile } : {}),
  };
}

export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
