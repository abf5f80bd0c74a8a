import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import * as documents from './documents';

// the gateway writes its schema on boot and commits it: the console's documents must stay valid against it
const schema = buildSchema(readFileSync(resolve(__dirname, '../../../gateway/schema.gql'), 'utf8'));

const all: [string, string][] = [
  ...Object.entries(documents as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && /^\s*(query|mutation|subscription)\b/.test(entry[1])),
  ...Object.entries(documents.RELEASE_ACTION_MUTATIONS).map(([action, doc]): [string, string] => [`release ${action}`, doc]),
  ...(['promote', 'pause', 'resume', 'fail', 'retry'] as const).map((action): [string, string] => [`rollout ${action}`, documents.rolloutActionMutation(action)]),
];

it('checks a document of every kind', () => {
  expect(all.map(([name]) => name)).toEqual(expect.arrayContaining(['API_TOKENS_QUERY', 'CREATE_API_TOKEN', 'REVOKE_API_TOKEN', 'RELEASES_QUERY', 'RELEASE_PROGRESS_SUBSCRIPTION', 'FREEZES_QUERY', 'SET_FREEZE', 'REMOVE_FREEZE', 'release rollback']));
});

it.each(all)('%s is valid against apps/gateway/schema.gql', (_name, doc) => {
  expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
});
