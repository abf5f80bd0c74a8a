import { runService } from '@berth/service';
import { Agent } from './agent';
import { agentConfigSchema, foldRepeatableFlags } from './config';

// exit codes: 2 bad configuration, 3 the state dir is held by another agent, 1 any other start failure
void runService({
  name: 'agent',
  summary: 'runs the jobs the scheduler assigns to this host on its Docker engine.',
  schema: agentConfigSchema,
  prepareArgv: foldRepeatableFlags,
  start: (config, logger) => Agent.start(config, { logger }),
});
