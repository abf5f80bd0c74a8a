import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@berth/contracts';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';

export interface QueryLimits {
  /** deepest selection nesting an operation may have */
  readonly maxDepth: number;
  /** most a single operation may cost: 1 per field, times `first` below a paginated field */
  readonly maxComplexity: number;
}

/** Far above what the CLI and console ask (the CLI's 1,000-job page costs ~25,000) and far below an alias bomb. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxComplexity: 100_000 };

/** A page of `first` items costs `first` times one item. */
const pageEstimator: ComplexityEstimator = ({ args, childComplexity }) => (typeof args['first'] === 'number' ? 1 + args['first'] * Math.max(1, childComplexity) : undefined);

const limitError = (code: ErrorCode, message: string, details: Record<string, unknown>) => new GraphQLError(message, { extensions: { code, details, http: { status: 400 } } });

/** The first limit a document breaks, as a 400 error with its Berth code; undefined when within limits. */
export function queryLimitError(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, limits: QueryLimits, operationName?: string): GraphQLError | undefined {
  const [tooDeep] = validate(schema, document, [depthLimit(limits.maxDepth)]);
  if (tooDeep) return limitError(ErrorCode.QUERY_TOO_DEEP, `query too deep: ${tooDeep.message}`, { maxDepth: limits.maxDepth });
  let complexity: number;
  try {
    complexity = getComplexity({ schema, query: document, variables, ...(operationName ? { operationName } : {}), estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })] });
  } catch (err) {
    // the cost needs the variables: ones that do not fit their types make the request invalid
    return limitError(ErrorCode.INVALID_QUERY, err instanceof Error ? err.message : String(err), {});
  }
  if (complexity > limits.maxComplexity) {
    return limitError(ErrorCode.QUERY_TOO_COMPLEX, `query too complex: it costs ${complexity}, the limit is ${limits.maxComplexity} (ask for smaller pages or fewer fields)`, { complexity, maxComplexity: limits.maxComplexity });
  }
  return undefined;
}

/**
 * Checks every operation once it is parsed and validated, before anything
 * executes. Parse and validation failures keep Apollo's 400 but get the Berth
 * code INVALID_QUERY (Apollo's own code stays in details).
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const error = queryLimitError(schema, document, request.variables ?? {}, limits, request.operationName ?? undefined);
          if (error) throw error;
        },
      };
    },
  };
}

const APOLLO_REQUEST_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE']);

/** Apollo's formatError: its request-level codes become INVALID_QUERY; everything else passes as is. */
export function formatGraphQLError<T extends { extensions?: Record<string, unknown> }>(formatted: T): T {
  const code = formatted.extensions?.['code'];
  if (typeof code !== 'string' || !APOLLO_REQUEST_ERRORS.has(code)) return formatted;
  const { code: _code, ...rest } = formatted.extensions ?? {};
  return { ...formatted, extensions: { ...rest, code: ErrorCode.INVALID_QUERY, details: { graphqlCode: code } } };
}

/** The executable schema, known once Apollo starts (graphql-ws's hooks are not given it). */
/** graphql-ws `onSubscribe`: the same limits for subscriptions; a document that does not parse is left to graphql-ws. */
export function wsQueryLimits(limits: QueryLimits, schema: GraphQLSchema) {
  return (_ctx: unknown, _id: string, payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null }): GraphQLError[] | undefined => {
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch {
      return undefined;
    }
    const error = queryLimitError(schema, document, payload.variables ?? {}, limits, payload.operationName ?? undefined);
    return error ? [error] : undefined;
  };
}
