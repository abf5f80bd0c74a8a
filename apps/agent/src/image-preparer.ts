import { type ContainerRuntime, RuntimeErrorCode, isContainerRuntimeError } from '@berth/container-runtime';
import { ImageState, type ImageStatus, type PrepareImageMessage } from '@berth/contracts';
import { type AgentLogger, silentLogger } from './logging';
import { isImageNotFound } from './task-supervisor';

export interface ImagePreparerOptions {
  readonly runtime: ContainerRuntime;
  readonly now: () => number;
  readonly logger?: AgentLogger;
}

type Outcome = Pick<ImageStatus, 'state' | 'error'>;

/**
 * The agent's side of a prestaging rollout: makes an image local ahead of the
 * switch and says how that went (PULLED, IMAGE_MISSING, IMAGE_PULL_FAILED).
 * An image already local is PULLED at once; requests for an image whose pull
 * is under way share that pull (the scheduler re-sends until it hears back).
 */
export class ImagePreparer {
  private readonly pulls = new Map<string, Promise<Outcome>>();
  private readonly logger: AgentLogger;

  constructor(private readonly options: ImagePreparerOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async prepare(request: PrepareImageMessage): Promise<ImageStatus> {
    let pull = this.pulls.get(request.image);
    if (pull === undefined) {
      pull = this.pull(request.image).finally(() => this.pulls.delete(request.image));
      this.pulls.set(request.image, pull);
    }
    const outcome = await pull;
    const time = new Date(this.options.now()).toISOString();
    return { image: request.image, rolloutId: request.rolloutId, jobId: request.jobId, ...outcome, time };
  }

  private async pull(image: string): Promise<Outcome> {
    const { runtime } = this.options;
    try {
      if (!(await runtime.imageExists(image))) {
        this.logger.info({ image }, 'pulling an image ahead of a rollout');
        await runtime.pullImage(image);
      }
      return { state: ImageState.PULLED };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const missing = isContainerRuntimeError(err, RuntimeErrorCode.IMAGE_MISSING) || (isContainerRuntimeError(err, RuntimeErrorCode.IMAGE_PULL_FAILED) && isImageNotFound(error));
      this.logger.warn({ image, err: error }, 'image not prepared');
      return { state: missing ? ImageState.IMAGE_MISSING : ImageState.IMAGE_PULL_FAILED, error };
    }
  }
}
