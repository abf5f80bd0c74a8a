import { startService, type ServiceProcess } from '@berth/testing';

/**
 * A leader and a standby scheduler as real processes (a kill -9 needs one),
 * with a short lease; the standby starts once the leader holds the lease,
 * so which is which is known. The caller stops both by pid.
 */
export async function startLeaderAndStandby(natsUrl: string, leaseTtlSeconds: number): Promise<{ leader: ServiceProcess; standby: ServiceProcess }> {
  const start = (name: string) =>
    startService(name, 'apps/scheduler/src/main.ts', ['--nats', natsUrl, '--http-port', '0', '--lease-ttl', String(leaseTtlSeconds)], { LOG_LEVEL: 'info' });
  const leader = start('scheduler-a');
  try {
    await leader.waitForOutput(/serving as leader/, 20_000);
    const standby = start('scheduler-b');
    await standby.waitForOutput(/standing by/, 20_000).catch(async (err: unknown) => {
      await standby.stop();
      throw err;
    });
    return { leader, standby };
  } catch (err) {
    await leader.stop();
    throw err;
  }
}
