import { Option, type Command } from 'commander';

/**
 * The options of a command that talks to NATS itself rather than through the
 * gateway (credentials, events export/import): servers, credentials, TLS,
 * the same flags and env as the services (libs/service natsConnectOptions).
 */
export function natsOptions(command: Command, credsDescription = 'NATS credentials (env BERTH_NATS_CREDS)'): Command {
  return command
    .addOption(new Option('--nats <urls>', 'nats-server URL(s), comma-separated (env BERTH_NATS, default nats://127.0.0.1:4222)'))
    .addOption(new Option('--nats-creds <file>', credsDescription))
    .addOption(new Option('--nats-tls-ca <file>', 'CA of the server certificate (env BERTH_NATS_TLS_CA)'))
    .addOption(new Option('--nats-tls-cert <file>', 'TLS client certificate (env BERTH_NATS_TLS_CERT)'))
    .addOption(new Option('--nats-tls-key <file>', 'TLS client key (env BERTH_NATS_TLS_KEY)'));
}
