import { ConfigError, createLogger, onShutdown } from '@berth/service';
import { Agent } from './agent';
import { agentUsage, loadAgentConfig } from './config';
import { StateDirLockedError } from './state-dir';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${agentUsage()}\n`);
    return;
  }
  const logger = createLogger('agent');
  let config;
  try {
    config = loadAgentConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\n${agentUsage()}\n`);
      process.exit(2);
    }
    throw err;
  }
  let agent: Agent;
  try {
    agent = await Agent.start(config, { logger });
  } catch (err) {
    if (err instanceof StateDirLockedError) {
      logger.fatal({ code: err.code, stateDir: err.dir, holderPid: err.holderPid }, err.message);
      process.exit(3);
    }
    throw err;
  }
  onShutdown(logger, () => agent.stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`agent failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
