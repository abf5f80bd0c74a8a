import { API_ROLES, isApiRole } from '@berth/contracts';
import type { Command } from 'commander';
import { type ContextFactory } from '../context';
import { UsageError } from '../errors';
import { formatTable } from '../table';

interface CreatedToken {
  readonly token: string;
  readonly subject: string;
  readonly role: string;
  readonly sequence: number;
}

interface TokenRow {
  readonly subject: string;
  readonly role: string;
  readonly createdAt: string;
  readonly revoked: boolean;
  readonly revokedAt?: string | null;
}

/** API tokens created by an admin: token create / revoke, tokens. */
export function registerTokenCommands(program: Command, context: ContextFactory): void {
  const token = program.command('token').summary('create or revoke an API token (admin)');
  token
    .command('create')
    .summary('create an API token and print it once')
    .description('The gateway makes up a random token and keeps only its SHA-256: the token is printed this once and cannot be shown again. Its subject is the actor of every event it causes.')
    .argument('<subject>', 'who the token is for (recorded as the actor)')
    .requiredOption('--role <role>', 'read, deploy or admin')
    .action(async (subject: string, flags: { role: string }, cmd: Command) => {
      if (!isApiRole(flags.role)) throw new UsageError(`--role must be one of ${API_ROLES.join(', ')}`);
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ createApiToken: CreatedToken }>(
        'mutation CreateApiToken($subject: String!, $role: String!) { createApiToken(subject: $subject, role: $role) { token subject role sequence } }',
        { subject, role: flags.role },
      );
      const created = data.createApiToken;
      if (ctx.json) ctx.printJson(created);
      else ctx.print(`API token for ${created.subject} (${created.role}), shown only this once:\n${created.token}`);
    });
  token
    .command('revoke')
    .summary('revoke an API token')
    .argument('<subject>', 'the subject whose token to revoke')
    .action(async (subject: string, _options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ revokeApiToken: { subject: string; sequence: number } }>(
        'mutation RevokeApiToken($subject: String!) { revokeApiToken(subject: $subject) { subject sequence } }',
        { subject },
      );
      if (ctx.json) ctx.printJson({ ...data.revokeApiToken, revoked: true });
      else ctx.print(`API token for ${subject} revoked`);
    });
  program
    .command('tokens')
    .summary('list API tokens created by an admin')
    .description('Subject, role, when created and whether revoked; never the tokens nor their hashes. Tokens from the gateway tokens file are not listed.')
    .action(async (_options: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const data = await ctx.gateway().request<{ apiTokens: { items: TokenRow[] } }>('query ApiTokens { apiTokens { items { subject role createdAt revoked revokedAt } } }');
      if (ctx.json) ctx.printJson(data.apiTokens.items);
      else
        ctx.print(
          formatTable(
            ['SUBJECT', 'ROLE', 'CREATED', 'REVOKED'],
            data.apiTokens.items.map((t) => [t.subject, t.role, t.createdAt, t.revoked ? (t.revokedAt ?? 'yes') : 'no']),
          ),
        );
    });
}
