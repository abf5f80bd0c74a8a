import { BerthLabel, InvalidTaskError, containerName, containerNamePrefix, jobContainerSpec, parseVolumes } from './job-container-spec';
import { makeJob } from './testing/job-fixture';

const ctx = { agentId: 'ag1', host: 'host-a', agentEnv: {}, ports: {}, nameSuffix: 'beef' };

describe('jobContainerSpec', () => {
  const job = makeJob('my.service', {
    image: 'registry:5000/team/app:1.2',
    hostname: 'apphost',
    command: ['server', 'config.yaml'],
    env: { JOB: 'j', SHARED: 'from-job', BERTH_PORT_http: 'overridden-by-job' },
    ports: {
      http: { internalPort: 8080, externalPort: 80, protocol: 'tcp' },
      admin: { internalPort: 8081, protocol: 'tcp', ip: '127.0.0.1' },
      dns: { internalPort: 53, protocol: 'udp' },
    },
    volumes: { '/data': '/srv/data', '/conf:ro': '/etc/app', '/cache:rw': 'cache-vol', '/scratch': '' },
    resources: { memory: 10_485_760, memorySwap: 20_971_520, cpuShares: 512, cpuset: '0' },
    networkMode: 'bridge',
    securityOpt: ['label:user:USER', 'apparmor:PROFILE'],
    addCapabilities: ['IPC_LOCK', 'SYSLOG'],
    dropCapabilities: ['KILL'],
    ramdisks: { '/run/tmp': 'rw,size=1m' },
    labels: { team: 'core' },
    secondsToWaitBeforeKill: 7,
    runtime: 'nvidia',
  });
  const spec = jobContainerSpec(job, {
    ...ctx,
    dns: ['127.0.0.53', '::1'],
    extraHosts: ['db.internal:127.0.0.5'],
    agentEnv: { AGENT: 'a', SHARED: 'from-agent', BERTH_PORT_admin: 'from-agent' },
    ports: { http: 80, admin: 20001, dns: 20002 },
    init: true,
  });

  it('names the container berth-<agentId>-<job>-<suffix> with unsafe characters replaced', () => {
    expect(spec.name).toBe('berth-ag1-my_service_1_0123456-beef');
    expect(spec.name.startsWith(containerNamePrefix('ag1'))).toBe(true);
    expect(containerName('x', 'a/b c:v 1:abcdef12345', 'f')).toBe('berth-x-a_b_c_v_1_abcdef1-f');
  });

  it('maps image, command, hostname, network mode and init', () => {
    expect(spec).toMatchObject({ image: 'registry:5000/team/app:1.2', command: ['server', 'config.yaml'], hostname: 'apphost', networkMode: 'bridge', init: true });
  });

  it('layers env: agent env < BERTH_PORT_* < job env', () => {
    expect(spec.env).toEqual({
      AGENT: 'a',
      SHARED: 'from-job',
      JOB: 'j',
      BERTH_PORT_http: 'overridden-by-job',
      BERTH_PORT_admin: 'host-a:20001',
      BERTH_PORT_dns: 'host-a:20002',
    });
  });

  it('publishes every port on its host port, with protocol and ip', () => {
    expect(spec.portBindings).toEqual({
      '8080/tcp': { hostPort: 80 },
      '8081/tcp': { hostPort: 20001, hostIp: '127.0.0.1' },
      '53/udp': { hostPort: 20002 },
    });
  });

  it('maps bind, read-only, named and anonymous volumes', () => {
    expect(spec.volumes).toEqual([
      { containerPath: '/data', hostPath: '/srv/data', readOnly: false },
      { containerPath: '/conf', hostPath: '/etc/app', readOnly: true },
      { containerPath: '/cache', hostPath: 'cache-vol', readOnly: false },
      { containerPath: '/scratch' },
    ]);
    expect(parseVolumes({ '/x:ro': '' })).toEqual([{ containerPath: '/x', readOnly: true }]);
  });

  it('maps resources, security options, capabilities, ramdisks and the stop timeout', () => {
    expect(spec).toMatchObject({
      memory: 10_485_760,
      memorySwap: 20_971_520,
      cpuShares: 512,
      cpuset: '0',
      securityOpt: ['label:user:USER', 'apparmor:PROFILE'],
      capAdd: ['IPC_LOCK', 'SYSLOG'],
      capDrop: ['KILL'],
      tmpfs: { '/run/tmp': 'rw,size=1m' },
      stopTimeout: 7,
    });
  });

  it('keeps the job labels and adds the agent and job labels', () => {
    expect(spec.labels).toEqual({ team: 'core', [BerthLabel.AGENT_ID]: 'ag1', [BerthLabel.JOB_ID]: job.id, [BerthLabel.HOST]: 'host-a' });
  });

  it('leaves defaults to Docker for a minimal job: image CMD, 120 s stop timeout, nothing else set', () => {
    const minimal = jobContainerSpec(makeJob('min'), ctx);
    expect(minimal.command).toBeUndefined();
    expect(minimal.stopTimeout).toBe(120);
    expect(minimal.portBindings).toBeUndefined();
    expect(minimal.tmpfs).toBeUndefined();
    expect(minimal.capAdd).toBeUndefined();
    expect(minimal.volumes).toEqual([]);
    expect(minimal.env).toEqual({});
    expect(minimal.dns).toBeUndefined();
    expect(minimal.extraHosts).toBeUndefined();
    expect(minimal.runtime).toBeUndefined();
  });

  it('passes the agent’s --dns and --add-host, and the job’s runtime', () => {
    expect(spec.dns).toEqual(['127.0.0.53', '::1']);
    expect(spec.extraHosts).toEqual(['db.internal:127.0.0.5']);
    expect(spec.runtime).toBe('nvidia');
  });

  it('publishes nothing with host networking, but still sets BERTH_PORT_*', () => {
    const hostJob = makeJob('h', { networkMode: 'host', ports: { http: { internalPort: 8080, protocol: 'tcp' } } });
    const s = jobContainerSpec(hostJob, { ...ctx, ports: { http: 21000 } });
    expect(s.portBindings).toBeUndefined();
    expect(s.env).toEqual({ BERTH_PORT_http: 'host-a:21000' });
  });

  it('refuses a port without a valid host port', () => {
    const withPort = makeJob('p', { ports: { http: { internalPort: 80, protocol: 'tcp' } } });
    expect(() => jobContainerSpec(withPort, ctx)).toThrow(InvalidTaskError);
    expect(() => jobContainerSpec(withPort, { ...ctx, ports: { http: 70000 } })).toThrow(/invalid host port 70000/);
  });

  it('refuses a job with a field this agent does not know, rather than run it without', () => {
    const newer = { ...makeJob('n'), gpus: 2, sidecars: [] } as unknown as Parameters<typeof jobContainerSpec>[0];
    expect(() => jobContainerSpec(newer, ctx)).toThrow(InvalidTaskError);
    expect(() => jobContainerSpec(newer, ctx)).toThrow('job fields unknown to this agent: gpus, sidecars');
  });

  it('refuses an invalid container port or protocol', () => {
    const bad = makeJob('b', { ports: { http: { internalPort: 0, protocol: 'tcp' }, q: { internalPort: 9, protocol: 'sctp' as 'tcp' } } });
    expect(() => jobContainerSpec(bad, { ...ctx, ports: { http: 20000, q: 20001 } })).toThrow(/port "http": invalid container port 0/);
  });
});
