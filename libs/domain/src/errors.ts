/**
 * Stable error codes. Helios's codes come first; clients match on `code`,
 * never on the message.
 */
export const ErrorCode = {
  JOB_ALREADY_EXISTS: 'JOB_ALREADY_EXISTS',
  INVALID_JOB_DEFINITION: 'INVALID_JOB_DEFINITION',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  HOST_NOT_FOUND: 'HOST_NOT_FOUND',
  JOB_ALREADY_DEPLOYED: 'JOB_ALREADY_DEPLOYED',
  PORT_CONFLICT: 'PORT_CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  STILL_IN_USE: 'STILL_IN_USE',
  JOB_NOT_DEPLOYED: 'JOB_NOT_DEPLOYED',
  AMBIGUOUS_JOB_REFERENCE: 'AMBIGUOUS_JOB_REFERENCE',
  DEPLOYMENT_GROUP_NOT_FOUND: 'DEPLOYMENT_GROUP_NOT_FOUND',
  // Berth's own codes
  /** Another agent holds the host's registration and has not been DOWN long enough to be taken over. */
  HOST_ALREADY_REGISTERED: 'HOST_ALREADY_REGISTERED',
  /** A host selector expression that does not parse (Helios: "Invalid host selector: X"). */
  INVALID_HOST_SELECTOR: 'INVALID_HOST_SELECTOR',
  /** No free port left in the host's dynamic port range. */
  PORT_RANGE_EXHAUSTED: 'PORT_RANGE_EXHAUSTED',
  /** A `--port-range` that does not parse, leaves 1-65535, or holds no port. */
  INVALID_PORT_RANGE: 'INVALID_PORT_RANGE',
  /** A group of that name exists with other selectors or defaults (the same definition again is "not modified"). */
  DEPLOYMENT_GROUP_ALREADY_EXISTS: 'DEPLOYMENT_GROUP_ALREADY_EXISTS',
  ROLLOUT_NOT_FOUND: 'ROLLOUT_NOT_FOUND',
  /** StartRollout for a rollout id that already has a history. */
  ROLLOUT_ALREADY_EXISTS: 'ROLLOUT_ALREADY_EXISTS',
  /** An update-strategy field out of range, or a combination that could never make progress. */
  INVALID_ROLLOUT_OPTIONS: 'INVALID_ROLLOUT_OPTIONS',
  /** An operator command that does not apply in the rollout's current status (e.g. promote without canaries). */
  ROLLOUT_STATE_CONFLICT: 'ROLLOUT_STATE_CONFLICT',
  /** A pipeline file (deploy.yaml) that does not parse or breaks a rule; `details.problems` lists each with its path and line. */
  INVALID_PIPELINE: 'INVALID_PIPELINE',
  /** The service has no pipeline (and mark-for-deployment named no group). */
  PIPELINE_NOT_FOUND: 'PIPELINE_NOT_FOUND',
  RELEASE_NOT_FOUND: 'RELEASE_NOT_FOUND',
  /** StartRelease for a release id that already has a history. */
  RELEASE_ALREADY_EXISTS: 'RELEASE_ALREADY_EXISTS',
  /** The service already has a release in flight (deploying, deployed or rolling back). */
  RELEASE_IN_PROGRESS: 'RELEASE_IN_PROGRESS',
  /** An operator command that does not apply in the release's current state (e.g. advance with no manual trigger pending). */
  RELEASE_STATE_CONFLICT: 'RELEASE_STATE_CONFLICT',
  /** A gate verdict for a gate that the release is not waiting on. */
  GATE_NOT_PENDING: 'GATE_NOT_PENDING',
  /** The job was rolled back from one of the release's groups; automation does not deploy it there again without force. */
  VERSION_MARKED_BAD: 'VERSION_MARKED_BAD',
  /** A multi-service release plan that does not parse, names unknown services, or has a dependency cycle (named). */
  INVALID_RELEASE_PLAN: 'INVALID_RELEASE_PLAN',
  RELEASE_PLAN_NOT_FOUND: 'RELEASE_PLAN_NOT_FOUND',
  /** A release would start inside a deploy freeze; `details.until` is when the window ends. */
  DEPLOY_FROZEN: 'DEPLOY_FROZEN',
  /** A freeze window that breaks a rule (bad instants, days, HH:MM or time zone; no reason). */
  INVALID_FREEZE: 'INVALID_FREEZE',
  FREEZE_NOT_FOUND: 'FREEZE_NOT_FOUND',
  /** CreateApiToken for a subject that has an un-revoked token. */
  API_TOKEN_ALREADY_EXISTS: 'API_TOKEN_ALREADY_EXISTS',
  /** RevokeApiToken for a subject without an un-revoked token. */
  API_TOKEN_NOT_FOUND: 'API_TOKEN_NOT_FOUND',
  /** An API token with a bad subject, role or hash. */
  INVALID_API_TOKEN: 'INVALID_API_TOKEN',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem found while validating input (a path into the input plus a message). */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/**
 * A rule of the domain was broken. Deciders throw it; transports turn it into
 * `{code, message, details}`.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
