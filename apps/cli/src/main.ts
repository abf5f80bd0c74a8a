import { createInterface } from 'node:readline/promises';
import { readFileIfExists } from './config';
import type { CliIo } from './context';
import { GatewayClient } from './gateway-client';
import { run } from './run';

let interrupted: Promise<void> | undefined;

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  readFile: readFileIfExists,
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  async confirm(question) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    try {
      const answer = await Promise.race([rl.question(question), closed]);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  },
  interrupted() {
    interrupted ??= new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return interrupted;
  },
  gateway: ({ gateway, token }) => new GatewayClient(gateway, token),
  now: () => Date.now(),
  terminalColumns: process.stdout.isTTY ? process.stdout.columns || 80 : undefined,
};

void run(io, process.argv.slice(2)).then((code) => {
  // let stdout drain (pipes are asynchronous), then leave even if a socket lingers
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
