import { collect, startStack, type Stack } from './harness';

/** Oversized and malformed GraphQL is refused with 400 and a Berth code before anything executes. */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ queryLimits: { maxDepth: 3, maxComplexity: 300 } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('depth and complexity limits', () => {
  it('refuses an operation nested deeper than the limit: 400 QUERY_TOO_DEEP', async () => {
    const deep = await stack.gql('{ jobs { items { deployments { status { state } } } } }');
    expect(deep.status).toBe(400);
    expect(deep.data).toBeUndefined();
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', details: { maxDepth: 3 } });
    const shallow = await stack.gql('{ jobs { items { id } } }');
    expect(shallow).toMatchObject({ status: 200, data: { jobs: { items: [] } } });
  });

  it('refuses an operation costing more than the limit (big pages, alias bombs): 400 QUERY_TOO_COMPLEX', async () => {
    const bigPage = await stack.gql('{ jobs(first: 1000) { items { id } } }');
    expect(bigPage.status).toBe(400);
    expect(bigPage.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', details: { maxComplexity: 300 } });
    const aliases = Array.from({ length: 400 }, (_, i) => `a${i}: jobs { sequence }`).join(' ');
    expect((await stack.gql(`{ ${aliases} }`)).errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect((await stack.gql('{ jobs(first: 10) { items { id } } }')).status).toBe(200);
  });

  it('applies the same limits to subscriptions over graphql-ws', async () => {
    const deep = collect(stack.wsClient(), 'subscription { hostStatus(name: "h") { host { deployments { status { state } } } } }');
    await expect(deep.next(1)).rejects.toThrow(/QUERY_TOO_DEEP/);
  });
});

describe('malformed GraphQL', () => {
  it.each([
    ['a document that does not parse', '{ jobs { items { id }', {}],
    ['an unknown field', '{ jobz { items { id } } }', {}],
    ['a variable of the wrong type', 'query($n: Int) { jobs(first: $n) { items { id } } }', { n: 'ten' }],
  ])('answers %s with 400 INVALID_QUERY', async (_, query, variables) => {
    const answer = await stack.gql(query, variables);
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors?.[0]?.extensions?.code).toBe('INVALID_QUERY');
    expect(answer.errors?.[0]?.message).not.toBe('');
  });

  it('answers a body that is not GraphQL at all with 400', async () => {
    const res = await fetch(`${stack.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer admin-token-0123456789abcdef' }, body: '{"querry": 1}' });
    expect(res.status).toBe(400);
  });
});
