import { buildSchema, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { SCHEMA_FILE } from '../app/paths';
import { DEFAULT_QUERY_LIMITS, formatGraphQLError, queryLimitError } from './query-limits';

const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
const check = (query: string, limits = DEFAULT_QUERY_LIMITS, variables: Record<string, unknown> = {}) => queryLimitError(schema, parse(query), variables, limits);

// what the CLI asks for `berth jobs` / `berth status`: a 1,000-job page with every deployment and task status
const TASK = 'state goal jobId containerId containerError throttled exitCode ports time';
const CLI_JOBS_PAGE = `query($after: String) { jobs(first: 1000, after: $after) { items { id name version job deployments { host jobId goal state ports deploymentGroupName deployedAt status { ${TASK} } } } nextCursor } }`;

describe('GraphQL query limits', () => {
  it('lets the heaviest page the CLI asks for through with the default limits', () => {
    expect(check(CLI_JOBS_PAGE)).toBeUndefined();
  });

  it('prices a page at its size times one item, so page size counts', () => {
    expect(check('{ jobs(first: 10) { items { id } } }', { maxDepth: 10, maxComplexity: 40 })).toBeUndefined();
    expect(check('{ jobs(first: 100) { items { id } } }', { maxDepth: 10, maxComplexity: 40 })?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', http: { status: 400 } });
    expect(check('query($n: Int) { jobs(first: $n) { items { id } } }', { maxDepth: 10, maxComplexity: 40 }, { n: 100 })?.extensions?.['code']).toBe('QUERY_TOO_COMPLEX');
  });

  it('stops alias bombs at the default limit', () => {
    const bomb = Array.from({ length: 200 }, (_, i) => `a${i}: jobs(first: 1000) { items { id } }`).join(' ');
    expect(check(`{ ${bomb} }`)?.extensions?.['code']).toBe('QUERY_TOO_COMPLEX');
  });

  it('counts depth through fragments', () => {
    const query = 'query { jobs { ...page } } fragment page on JobConnection { items { deployments { status { state } } } }';
    expect(check(query, { maxDepth: 3, maxComplexity: 1_000 })?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', details: { maxDepth: 3 } });
    expect(check(query, { maxDepth: 5, maxComplexity: 1_000 })).toBeUndefined();
  });

  it("gives Apollo's request errors the Berth code INVALID_QUERY and leaves the others alone", () => {
    expect(formatGraphQLError({ message: 'Syntax Error', extensions: { code: 'GRAPHQL_PARSE_FAILED' } })).toEqual({ message: 'Syntax Error', extensions: { code: 'INVALID_QUERY', details: { graphqlCode: 'GRAPHQL_PARSE_FAILED' } } });
    const notFound = { message: 'Job not found', extensions: { code: 'JOB_NOT_FOUND', details: {} } };
    expect(formatGraphQLError(notFound)).toBe(notFound);
  });
});
