/**
 * Error codes of the container runtime. The agent matches on `code` (for
 * example IMAGE_MISSING and IMAGE_PULL_FAILED become the task throttle states
 * of the same name), never on the message.
 */
export const RuntimeErrorCode = {
  /** The engine does not answer (socket missing, connection refused, timeout). */
  RUNTIME_UNAVAILABLE: 'RUNTIME_UNAVAILABLE',
  /** The image is not present locally (Docker: `404 No such image`). */
  IMAGE_MISSING: 'IMAGE_MISSING',
  /** The registry refused or failed a pull (unknown image, bad credentials, unreachable). */
  IMAGE_PULL_FAILED: 'IMAGE_PULL_FAILED',
  CONTAINER_NOT_FOUND: 'CONTAINER_NOT_FOUND',
  /** A container with that name already exists. */
  CONTAINER_NAME_CONFLICT: 'CONTAINER_NAME_CONFLICT',
  /** The operation needs a running container (exec) or a stopped one (remove without force). */
  CONTAINER_STATE_CONFLICT: 'CONTAINER_STATE_CONFLICT',
  /** Anything else the engine reported. */
  RUNTIME_ERROR: 'RUNTIME_ERROR',
} as const;

export type RuntimeErrorCode = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

export class ContainerRuntimeError extends Error {
  override readonly name: string = 'ContainerRuntimeError';

  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

export class RuntimeUnavailableError extends ContainerRuntimeError {
  override readonly name = 'RuntimeUnavailableError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(RuntimeErrorCode.RUNTIME_UNAVAILABLE, message, options);
  }
}

export class ImageMissingError extends ContainerRuntimeError {
  override readonly name = 'ImageMissingError';
  constructor(
    readonly image: string,
    options?: { readonly cause?: unknown },
  ) {
    super(RuntimeErrorCode.IMAGE_MISSING, `No such image: ${image}`, options);
  }
}

export class ImagePullFailedError extends ContainerRuntimeError {
  override readonly name = 'ImagePullFailedError';
  constructor(
    readonly image: string,
    reason: string,
    options?: { readonly cause?: unknown },
  ) {
    super(RuntimeErrorCode.IMAGE_PULL_FAILED, `Pulling ${image} failed: ${reason}`, options);
  }
}

export class ContainerNotFoundError extends ContainerRuntimeError {
  override readonly name = 'ContainerNotFoundError';
  constructor(
    readonly container: string,
    options?: { readonly cause?: unknown },
  ) {
    super(RuntimeErrorCode.CONTAINER_NOT_FOUND, `No such container: ${container}`, options);
  }
}

export class ContainerNameConflictError extends ContainerRuntimeError {
  override readonly name = 'ContainerNameConflictError';
  constructor(
    readonly containerName: string,
    options?: { readonly cause?: unknown },
  ) {
    super(RuntimeErrorCode.CONTAINER_NAME_CONFLICT, `A container named ${containerName} already exists`, options);
  }
}

export class ContainerStateConflictError extends ContainerRuntimeError {
  override readonly name = 'ContainerStateConflictError';
  constructor(
    readonly container: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(RuntimeErrorCode.CONTAINER_STATE_CONFLICT, message, options);
  }
}

export function isContainerRuntimeError(err: unknown, code?: RuntimeErrorCode): err is ContainerRuntimeError {
  return err instanceof ContainerRuntimeError && (code === undefined || err.code === code);
}
