import type { CliIo } from '../context';
import type { GatewayApi, LiveFeed } from '../gateway-client';
import { run } from '../run';

export interface Sent {
  readonly query: string;
  readonly variables: Record<string, unknown>;
}

/** A gateway answering from a handler keyed by the GraphQL operation name; records what was sent. */
export class FakeGateway implements GatewayApi {
  readonly url = 'http://fake-gateway';
  readonly sent: Sent[] = [];

  constructor(
    private readonly answer: (operation: string, variables: Record<string, unknown>) => unknown,
    /** messages each subscription (by operation name) delivers at once, then it completes */
    private readonly feeds: Record<string, readonly unknown[]> = {},
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    this.sent.push({ query, variables });
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? '';
    return this.answer(operation, variables) as T;
  }

  subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void): LiveFeed {
    this.sent.push({ query, variables });
    const operation = /^\s*subscription\s+(\w+)/.exec(query)?.[1] ?? '';
    const messages = this.feeds[operation];
    if (messages === undefined) throw new Error(`no feed for subscription ${operation}`);
    const done = Promise.resolve().then(() => messages.forEach((m) => onData(m as T)));
    return { done, close: async () => undefined };
  }
}

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `berth <args>` in-process against fakes, as main.ts would. */
export async function runCli(args: readonly string[], options: { gateway?: FakeGateway; files?: Record<string, string>; env?: Record<string, string>; confirm?: boolean; terminalColumns?: number } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { HOME: '/nonexistent', ...options.env },
    readFile: (path) => options.files?.[path],
    readStdin: async () => '',
    confirm: async () => options.confirm ?? false,
    interrupted: () => new Promise<void>(() => undefined),
    gateway: () => options.gateway ?? new FakeGateway(() => ({})),
    now: () => Date.parse('2024-01-01T00:00:00Z'),
    terminalColumns: options.terminalColumns,
  };
  const exitCode = await run(io, args);
  return { exitCode, stdout, stderr };
}
