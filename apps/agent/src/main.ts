import { runService, type ExitCodeCarrier } from '@berth/service';
import { Agent } from './agent';
import { agentConfigSchema, foldRepeatableFlags } from './config';

// exit codes: 2 bad configuration, 3 the state dir is held by another agent, 4 nats-server too old, 1 any other start failure
void runService({
  name: 'agent',
  summary: 'runs the jobs the scheduler assigns to this host on its Docker engine.',
  schema: agentConfigSchema,
  prepareArgv: foldRepeatableFlags,
  start: async (config, logger) => {
    // set once started; the NATS link may refuse the server before that
    const started: { agent?: Agent } = {};
    // too old a nats-server: stop supervising (containers keep running) and exit with the error's code
    const onFatal = (err: Error) => void (started.agent?.stop() ?? Promise.resolve()).finally(() => process.exit((err as Partial<ExitCodeCarrier>).exitCode ?? 1));
    started.agent = await Agent.start(config, { logger, onFatal });
    return started.agent;
  },
});
