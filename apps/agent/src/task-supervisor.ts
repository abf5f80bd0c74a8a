import {
  type ContainerRuntime,
  type ContainerSpec,
  RuntimeErrorCode,
  type SimulationTimer,
  isContainerRuntimeError,
} from '@berth/container-runtime';
import { LOG_TAIL_LINES, LOG_TAIL_LINE_LENGTH, type Goal, type Job, type TaskState, type TaskStatus, type ThrottleState, secondsToWaitBeforeKill } from '@berth/domain';
import { FlapController } from './flap-controller';
import { InvalidTaskError } from './job-container-spec';
import type { HealthChecker } from './health-checker';
import { type AgentLogger, silentLogger } from './logging';

/** A job on this host as the supervisor runs it: the desired task with its ports resolved. */
export interface SupervisedTask {
  readonly jobId: string;
  readonly job: Job;
  readonly goal: Goal;
  /** Port name → host port. */
  readonly ports: Readonly<Record<string, number>>;
  /** Why the task as received cannot run at all: it is FAILED with this message until its goal changes. */
  readonly problem?: string;
}

/** Restart delays in ms (Helios RestartPolicy: max(1 s, x)). */
export interface RestartDelays {
  readonly normal: number;
  readonly flapping: number;
  readonly imagePullFailed: number;
  readonly imageMissing: number;
  /** Health check backoff: first interval and cap. */
  readonly healthFirst: number;
  readonly healthMax: number;
  /** Cap of the backoff after repeated failures of other kinds (engine errors). */
  readonly failureMax: number;
  /** FLAPPING: 10 runs within this window; stable again after running this long (Helios: 60 s). */
  readonly flapWindow: number;
}

export const DEFAULT_RESTART_DELAYS: RestartDelays = {
  normal: 1_000,
  flapping: 30_000,
  imagePullFailed: 30_000,
  imageMissing: 120_000,
  healthFirst: 1_000,
  healthMax: 30_000,
  failureMax: 30_000,
  flapWindow: 60_000,
};

export interface TaskSupervisorOptions {
  readonly runtime: ContainerRuntime;
  readonly timer: SimulationTimer;
  readonly healthChecker: HealthChecker;
  /** Builds the container spec (with a fresh unique name) for one run of the task. */
  readonly buildSpec: (task: SupervisedTask) => ContainerSpec;
  /** Every status change, in order. */
  readonly onStatus: (status: TaskStatus) => void;
  readonly logger?: AgentLogger;
  /** For the health-check jitter; defaults to Math.random. */
  readonly random?: () => number;
  readonly delays?: Partial<RestartDelays>;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

type HealthOutcome = 'healthy' | 'exited' | 'interrupted';

/**
 * Runs one job on this host through Helios's task states, for as long as it
 * is deployed: PULLING_IMAGE (only when the image is absent) → CREATING →
 * STARTING → HEALTHCHECKING (when the job has a check) → RUNNING; every exit
 * is EXITED and restarted after a delay that throttling lengthens; goal STOP
 * is STOPPING → STOPPED; UNDEPLOY also removes the container. Errors are
 * FAILED with `containerError`, then retried. Time comes from `timer`, so unit
 * tests run a whole lifecycle in milliseconds.
 */
export class TaskSupervisor {
  private task: SupervisedTask;
  private containerId: string | undefined;
  /** Name of the container being created, so the reaper leaves it alone before its id is known. */
  private pendingName: string | undefined;
  private spec: ContainerSpec | undefined;
  private current: TaskStatus;
  private throttle: ThrottleState = 'NO';
  private readonly flaps: FlapController;
  private failures = 0;
  private changed = deferred();
  private closed = false;
  private readonly closing = deferred();
  private finished = false;
  private readonly undeployed = deferred();
  private cancelUnflap: (() => void) | undefined;
  private readonly delays: RestartDelays;
  private readonly logger: AgentLogger;
  private readonly random: () => number;

  constructor(
    task: SupervisedTask,
    private readonly options: TaskSupervisorOptions,
    /** A container of this task found on the engine (agent restart): adopted instead of starting another. */
    adoptContainerId?: string,
  ) {
    this.task = task;
    this.containerId = adoptContainerId;
    this.delays = { ...DEFAULT_RESTART_DELAYS, ...options.delays };
    this.flaps = new FlapController(10, this.delays.flapWindow);
    this.logger = options.logger ?? silentLogger;
    this.random = options.random ?? Math.random;
    this.current = this.makeStatus('UNKNOWN');
  }

  get jobId(): string {
    return this.task.jobId;
  }

  get goal(): Goal {
    return this.task.goal;
  }

  get status(): TaskStatus {
    return this.current;
  }

  get ports(): Readonly<Record<string, number>> {
    return this.task.ports;
  }

  /** The container this supervisor owns (or is creating): never reaped. */
  get claims(): { readonly containerId?: string; readonly containerName?: string } {
    return { containerId: this.containerId, containerName: this.pendingName };
  }

  /** True once an UNDEPLOY has stopped and removed the container. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Resolves once the task is undeployed (container stopped and removed). */
  get whenUndeployed(): Promise<void> {
    return this.undeployed.promise;
  }

  start(): void {
    void this.loop();
  }

  setGoal(goal: Goal): void {
    if (goal === this.task.goal || this.finished) return;
    this.task = { ...this.task, goal };
    this.logger.info({ jobId: this.jobId, goal }, 'task goal changed');
    this.wake();
  }

  /** Stops supervising, leaving the container as it is (the agent stopping does not stop jobs). */
  close(): void {
    this.closed = true;
    this.cancelUnflap?.();
    this.closing.resolve();
    this.wake();
  }

  private wake(): void {
    const previous = this.changed;
    this.changed = deferred();
    previous.resolve();
  }

  private interrupted(goal: Goal = 'START'): boolean {
    return this.closed || this.task.goal !== goal;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      const goal = this.task.goal;
      try {
        if (goal === 'START') {
          await this.runOnce();
        } else {
          await this.stop(goal);
          if (goal === 'UNDEPLOY' && !this.interrupted('UNDEPLOY')) {
            await this.remove();
            this.finished = true;
            this.undeployed.resolve();
            return;
          }
          if (!this.interrupted(goal)) await this.changed.promise;
        }
      } catch (err) {
        if (this.closed) return;
        await this.fail(err);
      }
    }
  }

  /** One run: reuse a running (adopted) container or start a new one, health check it, wait for its exit. */
  private async runOnce(): Promise<void> {
    if (this.task.problem !== undefined) throw new InvalidTaskError(this.task.problem);
    const existing = this.containerId === undefined ? undefined : await this.options.runtime.inspectContainer(this.containerId);
    let id: string;
    let startedAt: number;
    if (existing?.running === true) {
      // Helios #1090: a container found running after an agent restart is not health-checked again.
      id = existing.id;
      startedAt = existing.startedAt?.getTime() ?? this.options.timer.now();
      this.spec = undefined;
      this.logger.info({ jobId: this.jobId, containerId: id }, 'adopted running container');
    } else {
      const created = await this.createAndStart(existing?.id);
      if (created === undefined) return;
      id = created;
      startedAt = this.options.timer.now();
    }
    let exitCode: number | undefined;
    const exited = this.watchExit(id).then((code) => {
      exitCode = code;
    });
    if (existing?.running !== true && this.task.job.healthCheck !== undefined) {
      this.setState('HEALTHCHECKING');
      const outcome = await this.healthCheck(id, exited, () => exitCode !== undefined);
      if (outcome === 'interrupted') return;
      if (outcome === 'exited') {
        this.recordExit(startedAt);
        const logTail = await this.lastOutput(id);
        this.setState('EXITED', { exitCode, logTail });
        this.setState('FAILED', { containerError: `container exited with code ${exitCode} during health checking`, logTail });
        await this.pause(this.restartDelay());
        return;
      }
    }
    this.failures = 0;
    this.setState('RUNNING');
    this.scheduleUnflap();
    const wake = this.changed.promise;
    await Promise.race([exited, wake]);
    this.cancelUnflap?.();
    if (exitCode === undefined) return; // goal changed or closed: the loop takes it from here
    this.recordExit(startedAt);
    this.logger.info({ jobId: this.jobId, containerId: id, exitCode, throttled: this.throttle }, 'container exited');
    this.setState('EXITED', { exitCode, logTail: await this.lastOutput(id) });
    await this.pause(this.restartDelay());
  }

  /** Pull when missing, create, start. Undefined when the goal changed on the way. */
  private async createAndStart(previousId: string | undefined): Promise<string | undefined> {
    const { runtime } = this.options;
    const image = this.task.job.image;
    if (!(await runtime.imageExists(image))) {
      this.setState('PULLING_IMAGE');
      await runtime.pullImage(image);
      if (this.interrupted()) return undefined;
    }
    if (previousId !== undefined) {
      // Each run gets a new container (as in Helios); the previous, exited one goes.
      await runtime.removeContainer(previousId, { force: true }).catch(() => undefined);
      if (this.containerId === previousId) this.containerId = undefined;
    }
    this.spec = this.options.buildSpec(this.task);
    this.pendingName = this.spec.name;
    this.setState('CREATING');
    const id = await runtime.createContainer(this.spec);
    this.containerId = id;
    // Image failures are cleared once a container is created.
    this.throttle = this.flaps.isFlapping() ? 'FLAPPING' : 'NO';
    if (this.interrupted()) return undefined;
    this.setState('STARTING');
    await runtime.startContainer(id);
    return id;
  }

  /** Resolves with the exit code once the container is not running; never rejects. */
  private async watchExit(id: string): Promise<number> {
    for (;;) {
      try {
        return await this.options.runtime.waitContainer(id);
      } catch (err) {
        if (isContainerRuntimeError(err, RuntimeErrorCode.CONTAINER_NOT_FOUND)) return -1;
        // The engine went away: look again after a while.
        await this.sleep(this.delays.normal);
        if (this.closed) return -1;
      }
    }
  }

  private async healthCheck(id: string, exited: Promise<void>, hasExited: () => boolean): Promise<HealthOutcome> {
    const check = this.task.job.healthCheck;
    if (check === undefined) return 'healthy';
    let interval = this.delays.healthFirst;
    for (;;) {
      if (this.interrupted()) return 'interrupted';
      // a check that hangs (an exec that never returns) must not hold up a goal change such as an undeploy
      const healthy = await Promise.race([
        this.options.healthChecker(check, { containerId: id, ports: this.task.ports }),
        exited.then(() => false),
        this.changed.promise.then(() => false),
      ]);
      if (this.interrupted()) return 'interrupted';
      if (hasExited()) return 'exited';
      if (healthy) return 'healthy';
      const wake = this.changed.promise;
      const cancel = this.schedule(interval);
      await Promise.race([cancel.elapsed, exited, wake]);
      cancel.cancel();
      if (hasExited()) return 'exited';
      // Helios: ×(2 ± 0.5), capped.
      interval = Math.min(this.delays.healthMax, interval * (1.5 + this.random()));
    }
  }

  private async stop(goal: Goal): Promise<void> {
    const { runtime } = this.options;
    const info = this.containerId === undefined ? undefined : await runtime.inspectContainer(this.containerId);
    if (info?.running === true) {
      this.setState('STOPPING');
      const grace = this.task.job.gracePeriod ?? 0;
      if (grace > 0) await this.sleep(grace * 1000);
      let backoff = this.delays.normal;
      for (;;) {
        await runtime.stopContainer(info.id, secondsToWaitBeforeKill(this.task.job));
        if ((await runtime.inspectContainer(info.id))?.running !== true) break;
        // Helios keeps killing until the container is down.
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.delays.failureMax);
      }
      if (this.closed) return;
      this.setState('STOPPED');
    } else if (this.current.state !== 'STOPPED' && !this.interrupted(goal)) {
      this.setState('STOPPED');
    }
  }

  private async remove(): Promise<void> {
    if (this.containerId === undefined) return;
    try {
      await this.options.runtime.removeContainer(this.containerId, { force: true });
    } catch (err) {
      if (!isContainerRuntimeError(err, RuntimeErrorCode.CONTAINER_NOT_FOUND)) throw err;
    }
    this.containerId = undefined;
    this.pendingName = undefined;
  }

  private async fail(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof InvalidTaskError) {
      // Retrying cannot help: the same job would fail the same way. Wait for a new goal.
      this.logger.warn({ jobId: this.jobId, err: message }, 'task cannot run');
      const wake = this.changed.promise;
      this.setState('FAILED', { containerError: message });
      await wake;
      return;
    }
    let delay: number;
    if (isContainerRuntimeError(err, RuntimeErrorCode.IMAGE_MISSING)) {
      this.throttle = 'IMAGE_MISSING';
      delay = this.delays.imageMissing;
    } else if (isContainerRuntimeError(err, RuntimeErrorCode.IMAGE_PULL_FAILED)) {
      this.throttle = isImageNotFound(message) ? 'IMAGE_MISSING' : 'IMAGE_PULL_FAILED';
      delay = this.throttle === 'IMAGE_MISSING' ? this.delays.imageMissing : this.delays.imagePullFailed;
    } else {
      this.failures += 1;
      delay = Math.max(this.restartDelay(), Math.min(this.delays.normal * 2 ** (this.failures - 1), this.delays.failureMax));
    }
    this.logger.warn({ jobId: this.jobId, err: message, throttled: this.throttle, retryInMs: delay }, 'task failed');
    this.setState('FAILED', { containerError: message });
    await this.pause(delay);
  }

  private recordExit(startedAt: number): void {
    this.flaps.recordExit(this.options.timer.now() - startedAt);
    if (this.throttle === 'NO' || this.throttle === 'FLAPPING') this.throttle = this.flaps.isFlapping() ? 'FLAPPING' : 'NO';
  }

  private restartDelay(): number {
    switch (this.throttle) {
      case 'FLAPPING':
        return this.delays.flapping;
      case 'IMAGE_PULL_FAILED':
        return this.delays.imagePullFailed;
      case 'IMAGE_MISSING':
        return this.delays.imageMissing;
      case 'NO':
        return this.delays.normal;
    }
  }

  /** While flapping and running, clear FLAPPING once this run has lasted long enough. */
  private scheduleUnflap(): void {
    this.cancelUnflap?.();
    this.cancelUnflap = undefined;
    if (this.throttle !== 'FLAPPING') return;
    this.cancelUnflap = this.options.timer.schedule(this.flaps.stableAfterMs(), () => {
      this.cancelUnflap = undefined;
      if (this.closed || this.throttle !== 'FLAPPING' || this.current.state !== 'RUNNING') return;
      this.throttle = 'NO';
      this.setState('RUNNING');
    });
  }

  /** Waits `ms`, or less if the goal changes or the supervisor closes. */
  private async pause(ms: number): Promise<void> {
    const wake = this.changed.promise;
    const timer = this.schedule(ms);
    await Promise.race([timer.elapsed, wake]);
    timer.cancel();
  }

  /** Waits `ms` unless the supervisor closes. */
  private async sleep(ms: number): Promise<void> {
    const timer = this.schedule(ms);
    await Promise.race([timer.elapsed, this.closing.promise]);
    timer.cancel();
  }

  private schedule(ms: number): { readonly elapsed: Promise<void>; readonly cancel: () => void } {
    let cancel: () => void = () => undefined;
    const elapsed = new Promise<void>((resolve) => {
      cancel = this.options.timer.schedule(ms, resolve);
    });
    return { elapsed, cancel };
  }

  /** The exited container's last lines, cut to size, for its status (and a failed rollout's reason); none when the engine cannot say. */
  private async lastOutput(id: string): Promise<readonly string[]> {
    try {
      return (await this.options.runtime.logTail(id, LOG_TAIL_LINES)).map((line) => line.slice(0, LOG_TAIL_LINE_LENGTH));
    } catch {
      return [];
    }
  }

  private setState(state: TaskState, extra: StatusExtra = {}): void {
    if (this.closed) return;
    this.current = this.makeStatus(state, extra);
    this.options.onStatus(this.current);
  }

  private makeStatus(state: TaskState, extra: StatusExtra = {}): TaskStatus {
    const showsContainer = state !== 'PULLING_IMAGE' && state !== 'CREATING' && state !== 'UNKNOWN';
    return {
      jobId: this.task.jobId,
      goal: this.task.goal,
      state,
      throttled: this.throttle,
      ...(showsContainer && this.containerId !== undefined ? { containerId: this.containerId } : {}),
      ports: { ...this.task.ports },
      ...(this.spec?.env !== undefined ? { env: { ...this.spec.env } } : {}),
      ...(extra.containerError !== undefined ? { containerError: extra.containerError } : {}),
      ...(extra.exitCode !== undefined ? { exitCode: extra.exitCode } : {}),
      ...(extra.logTail !== undefined && extra.logTail.length > 0 ? { logTail: extra.logTail } : {}),
      time: new Date(this.options.timer.now()).toISOString(),
    };
  }
}

/** What a status adds to its state: an exit's code and last output, an error. */
interface StatusExtra {
  readonly exitCode?: number;
  readonly containerError?: string;
  readonly logTail?: readonly string[];
}

/** A registry saying the image does not exist (as opposed to being unreachable or refusing us). */
export function isImageNotFound(message: string): boolean {
  return /manifest unknown|not found|does not exist|repository .* not exist/i.test(message) && !/auth|denied|credentials/i.test(message);
}
