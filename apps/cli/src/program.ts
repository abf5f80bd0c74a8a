import { Command, Option } from 'commander';
import { registerAuditCommands } from './commands/audit-commands';
import { registerCredentialsCommands } from './commands/credentials-commands';
import { registerDeploymentCommands } from './commands/deployment-commands';
import { registerEventsCommands } from './commands/events-commands';
import { registerGroupCommands } from './commands/group-commands';
import { registerHostCommands } from './commands/host-commands';
import { registerFreezeCommands } from './commands/freeze-commands';
import { registerTokenCommands } from './commands/token-commands';
import { registerJobCommands } from './commands/job-commands';
import { registerPipelineAndReleaseCommands } from './commands/release-commands';
import { registerRolloutCommands } from './commands/rollout-commands';
import { registerVersionCommand } from './commands/version-command';
import { resolveConfig } from './config';
import type { CliIo, CommandContext } from './context';
import type { GatewayApi } from './gateway-client';

export interface GlobalOptions {
  readonly gateway?: string;
  readonly tokenFile?: string;
  readonly json?: boolean;
}

/**
 * `berth`: Helios's command names, flags and output over the gateway. Usage
 * errors exit 2 (commander's message), Berth errors exit 1 with their code.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('berth')
    .description("Deploy Docker containers to Berth hosts (Helios-compatible CLI, talking to Berth's gateway)")
    .addOption(new Option('--gateway <url>', 'gateway URL (env BERTH_GATEWAY, else "gateway" in ~/.berth/config.json, else http://127.0.0.1:8080)'))
    .addOption(
      new Option('--token-file <file>', 'file holding an API token, sent as "Authorization: Bearer …" (else env BERTH_TOKEN, else "token"/"tokenFile" in the config file)'),
    )
    .option('--json', 'machine-readable JSON output')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const context = (command: Command): CommandContext => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    let gateway: GatewayApi | undefined;
    return {
      io,
      json: globals.json === true,
      gateway: () => {
        gateway ??= io.gateway(resolveConfig({ flags: { gateway: globals.gateway, tokenFile: globals.tokenFile }, env: io.env, readFile: io.readFile }));
        return gateway;
      },
      print: (text) => io.stdout(`${text}\n`),
      printJson: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
      warn: (text) => io.stderr(`${text}\n`),
    };
  };

  registerJobCommands(program, context);
  registerDeploymentCommands(program, context);
  registerHostCommands(program, context);
  registerGroupCommands(program, context);
  registerRolloutCommands(program, context);
  registerPipelineAndReleaseCommands(program, context);
  registerFreezeCommands(program, context);
  registerTokenCommands(program, context);
  registerAuditCommands(program, context);
  registerCredentialsCommands(program, context);
  registerEventsCommands(program, context);
  registerVersionCommand(program, context);
  return program;
}
