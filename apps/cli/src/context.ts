import type { GatewayApi } from './gateway-client';

/** Everything a command touches outside itself; main.ts gives the real ones, specs give fakes. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string | undefined;
  readStdin(): Promise<string>;
  /** asks on the terminal; false when the answer is not y/yes (or stdin is closed) */
  confirm(question: string): Promise<boolean>;
  /** resolves on Ctrl-C (SIGINT) or SIGTERM */
  interrupted(): Promise<void>;
  gateway(config: { gateway: string; token?: string }): GatewayApi;
  now(): number;
  /** the terminal's width when stdout is a terminal (live progress bars), else undefined (plain lines) */
  readonly terminalColumns?: number | undefined;
}

/** What a command sees: its output helpers and the gateway chosen by the global options. */
export interface CommandContext {
  readonly io: CliIo;
  readonly json: boolean;
  gateway(): GatewayApi;
  /** one line (or block) on stdout */
  print(text: string): void;
  /** a value as pretty JSON on stdout */
  printJson(value: unknown): void;
  warn(text: string): void;
}

/** Builds the context of the command being run (global options are read from it). */
export type ContextFactory = (command: import('commander').Command) => CommandContext;

/** Commander's collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
