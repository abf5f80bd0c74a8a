import { CreateApiTokenRequest, RevokeApiTokenRequest, SchedulerCommand } from '@berth/contracts';
import { apiTokenDecider } from '@berth/domain';
import { Aggregate } from '@berth/read-model';
import type { CommandExecutor } from './command-executor';
import { route, type CommandRoute } from './command-server';

/** API tokens created and revoked by an admin (through the gateway, which alone sees the secret). */
export function apiTokenRoutes(executor: CommandExecutor): CommandRoute[] {
  return [
    route(SchedulerCommand.CREATE_API_TOKEN, CreateApiTokenRequest, async (req) => {
      const { events, sequence } = await executor.execute(
        Aggregate.API_TOKEN,
        req.subject,
        apiTokenDecider,
        (_, time) => ({ type: 'CreateApiToken' as const, subject: req.subject, role: req.role, tokenSha256: req.tokenSha256, time }),
        req,
      );
      const created = events[0];
      return { subject: req.subject, role: req.role, createdAt: created?.time, sequence };
    }),
    route(SchedulerCommand.REVOKE_API_TOKEN, RevokeApiTokenRequest, async (req) => {
      const { sequence } = await executor.execute(Aggregate.API_TOKEN, req.subject, apiTokenDecider, (_, time) => ({ type: 'RevokeApiToken' as const, subject: req.subject, time }), req);
      return { subject: req.subject, revoked: true, sequence };
    }),
  ];
}
