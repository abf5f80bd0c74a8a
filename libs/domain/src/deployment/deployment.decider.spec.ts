import fc from 'fast-check';
import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import type { Job, PortMapping } from '../job/job';
import type { TaskStatus } from '../task/task-status';
import { given } from '../testing/given-when-then';
import {
  deploymentAggregateIdOf,
  deploymentDecider,
  portsInUse,
  type Deploy,
  type DeploymentCommand,
  type DeploymentEvent,
  type DeploymentState,
} from './deployment.decider';
import { desiredTasksOf } from './desired-tasks';
import { assertJobNotInUse } from './job-removal';

const time = '2024-01-01T00:00:00.000Z';
const later = '2024-01-01T00:05:00.000Z';
const range = { from: 20000, to: 20010 };

function testJob(id: string, ports: Record<string, PortMapping> = {}, token = ''): Job {
  return {
    id,
    image: 'busybox:1',
    command: [],
    env: {},
    ports,
    registration: {},
    registrationDomain: '',
    volumes: {},
    token,
    securityOpt: [],
    metadata: {},
    addCapabilities: [],
    dropCapabilities: [],
    labels: {},
    ramdisks: {},
  };
}

const web = testJob('web:1:aaaa', {
  http: { internalPort: 80, externalPort: 8080, protocol: 'tcp' },
  admin: { internalPort: 81, protocol: 'tcp' },
});
const api = testJob('api:1:bbbb', { http: { internalPort: 80, externalPort: 8080, protocol: 'tcp' } });
const dns = testJob('dns:1:cccc', { dns: { internalPort: 53, externalPort: 8080, protocol: 'udp' } });
const dyn = testJob('dyn:1:dddd', { b: { internalPort: 2, protocol: 'tcp' }, a: { internalPort: 1, protocol: 'udp' } });
const secret = testJob('secret:1:eeee', {}, 'tok');

const deploy = (job: Job, extra: Partial<Deploy> = {}): Deploy => ({
  type: 'Deploy',
  host: 'h1',
  hostRegistered: true,
  job,
  time,
  portRange: range,
  ...extra,
});

const webDeployed: DeploymentEvent = {
  type: 'JobDeployed',
  host: 'h1',
  jobId: web.id,
  goal: 'START',
  ports: { admin: 20000, http: 8080 },
  protocols: { admin: 'tcp', http: 'tcp' },
  token: '',
  time,
};
const secretDeployed: DeploymentEvent = { ...webDeployed, jobId: secret.id, ports: {}, protocols: {}, token: 'tok' };
const groupDeployed: DeploymentEvent = { ...webDeployed, deploymentGroupName: 'g1' };

describe('deployment decider: Deploy', () => {
  it('deploys with goal START by default, recording static and allocated dynamic ports', () => {
    given(deploymentDecider).when(deploy(web)).then([webDeployed]);
  });

  it('deploys with goal STOP (deploy --no-start) and a deployment group name', () => {
    given(deploymentDecider)
      .when(deploy(web, { goal: 'STOP', deploymentGroupName: 'g1' }))
      .then([{ ...webDeployed, goal: 'STOP', deploymentGroupName: 'g1' }]);
  });

  it('JOB_ALREADY_DEPLOYED when the job is on the host, whatever its goal', () => {
    given(deploymentDecider, [webDeployed]).when(deploy(web)).thenThrows(ErrorCode.JOB_ALREADY_DEPLOYED);
    given(deploymentDecider, [{ ...webDeployed, goal: 'STOP' }])
      .when(deploy(web, { goal: 'STOP' }))
      .thenThrows(ErrorCode.JOB_ALREADY_DEPLOYED);
  });

  it('HOST_NOT_FOUND when the host is not registered', () => {
    const error = given(deploymentDecider).when(deploy(web, { hostRegistered: false })).thenThrows(ErrorCode.HOST_NOT_FOUND);
    expect(error.details).toEqual({ host: 'h1' });
  });

  it('FORBIDDEN for a missing or wrong token when the job has one, and for any token when it has none', () => {
    given(deploymentDecider).when(deploy(secret)).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider).when(deploy(secret, { token: 'nope' })).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider).when(deploy(web, { token: 'tok' })).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider).when(deploy(secret, { token: 'tok' })).then([secretDeployed]);
    given(deploymentDecider).when(deploy(web, { token: '' })).then([webDeployed]);
  });

  it('PORT_CONFLICT for a static port another deployment uses with the same protocol, even with goal STOP', () => {
    const error = given(deploymentDecider, [{ ...webDeployed, goal: 'STOP' }]).when(deploy(api)).thenThrows(ErrorCode.PORT_CONFLICT);
    expect(error.details).toEqual({ host: 'h1', jobId: api.id, portName: 'http', port: 8080, protocol: 'tcp', conflictingJobId: web.id });
  });

  it('allows the same port number with another protocol', () => {
    given(deploymentDecider, [webDeployed])
      .when(deploy(dns))
      .then([{ ...webDeployed, jobId: dns.id, ports: { dns: 8080 }, protocols: { dns: 'udp' } }]);
  });

  it('PORT_CONFLICT for a static port that is another job’s allocated dynamic port', () => {
    const onDynamic = testJob('x:1:ffff', { p: { internalPort: 1, externalPort: 20000, protocol: 'tcp' } });
    given(deploymentDecider, [webDeployed]).when(deploy(onDynamic)).thenThrows(ErrorCode.PORT_CONFLICT);
  });

  it('allocates dynamic ports lowest-first in port-name order, skipping every used port number', () => {
    given(deploymentDecider, [webDeployed])
      .when(deploy(dyn))
      .then([{ ...webDeployed, jobId: dyn.id, ports: { a: 20001, b: 20002 }, protocols: { a: 'udp', b: 'tcp' } }]);
  });

  it('skips the job’s own static ports when allocating its dynamic ones', () => {
    const job = testJob('own:1:abcd', {
      s: { internalPort: 1, externalPort: 20000, protocol: 'udp' },
      d: { internalPort: 2, protocol: 'tcp' },
    });
    given(deploymentDecider)
      .when(deploy(job))
      .then([{ ...webDeployed, jobId: job.id, ports: { d: 20001, s: 20000 }, protocols: { d: 'tcp', s: 'udp' } }]);
  });

  it('reuses a port freed by an undeploy', () => {
    const undeployed: DeploymentEvent = { type: 'JobUndeployed', host: 'h1', jobId: web.id, time };
    given(deploymentDecider, [webDeployed, undeployed])
      .when(deploy(dyn))
      .then([{ ...webDeployed, jobId: dyn.id, ports: { a: 20000, b: 20001 }, protocols: { a: 'udp', b: 'tcp' } }]);
  });

  it('PORT_RANGE_EXHAUSTED when the range has no free port left', () => {
    const error = given(deploymentDecider, [webDeployed])
      .when(deploy(dyn, { portRange: { from: 20000, to: 20002 } }))
      .thenThrows(ErrorCode.PORT_RANGE_EXHAUSTED);
    expect(error.details).toMatchObject({ host: 'h1', jobId: dyn.id, portName: 'b' });
    given(deploymentDecider).when(deploy(dyn, { portRange: { from: 1, to: 1 } })).thenThrows(ErrorCode.PORT_RANGE_EXHAUSTED);
  });

  it('targets the host’s aggregate', () => {
    expect(deploymentAggregateIdOf(deploy(web))).toBe('h1');
  });
});

describe('deployment decider: Undeploy', () => {
  const undeploy = { type: 'Undeploy', host: 'h1', hostRegistered: true, jobId: web.id, time: later } as const;

  it('undeploys, freeing its ports', () => {
    const undeployed: DeploymentEvent = { type: 'JobUndeployed', host: 'h1', jobId: web.id, time: later };
    given(deploymentDecider, [webDeployed]).when(undeploy).then([undeployed]);
    expect(portsInUse(foldEvents(deploymentDecider, [webDeployed, undeployed]))).toEqual([]);
  });

  it('JOB_NOT_DEPLOYED for a job not on the host', () => {
    given(deploymentDecider).when(undeploy).thenThrows(ErrorCode.JOB_NOT_DEPLOYED);
    given(deploymentDecider, [webDeployed, { type: 'JobUndeployed', host: 'h1', jobId: web.id, time }])
      .when(undeploy)
      .thenThrows(ErrorCode.JOB_NOT_DEPLOYED);
  });

  it('HOST_NOT_FOUND when the host is not registered', () => {
    given(deploymentDecider, [webDeployed]).when({ ...undeploy, hostRegistered: false }).thenThrows(ErrorCode.HOST_NOT_FOUND);
  });

  it('FORBIDDEN unless the token matches the job’s', () => {
    given(deploymentDecider, [secretDeployed]).when({ ...undeploy, jobId: secret.id }).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider, [webDeployed]).when({ ...undeploy, token: 'x' }).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider, [secretDeployed])
      .when({ ...undeploy, jobId: secret.id, token: 'tok' })
      .then([{ type: 'JobUndeployed', host: 'h1', jobId: secret.id, time: later }]);
  });

  it('a deployment group’s deployment is undeployed only by naming that group', () => {
    const error = given(deploymentDecider, [groupDeployed]).when(undeploy).thenThrows(ErrorCode.FORBIDDEN);
    expect(error.details).toEqual({ host: 'h1', jobId: web.id, deploymentGroupName: 'g1' });
    given(deploymentDecider, [groupDeployed]).when({ ...undeploy, deploymentGroupName: 'g2' }).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider, [groupDeployed])
      .when({ ...undeploy, deploymentGroupName: 'g1' })
      .then([{ type: 'JobUndeployed', host: 'h1', jobId: web.id, time: later }]);
  });

  it("an admin's override undeploys a group's deployment without naming the group", () => {
    given(deploymentDecider, [groupDeployed])
      .when({ ...undeploy, overrideGroup: true })
      .then([{ type: 'JobUndeployed', host: 'h1', jobId: web.id, time: later }]);
    given(deploymentDecider, [groupDeployed]).when({ ...undeploy, overrideGroup: false }).thenThrows(ErrorCode.FORBIDDEN);
  });

  it('a group may undeploy a manual deployment (Helios migrate)', () => {
    given(deploymentDecider, [webDeployed])
      .when({ ...undeploy, deploymentGroupName: 'g1' })
      .then([{ type: 'JobUndeployed', host: 'h1', jobId: web.id, time: later }]);
  });
});

describe('deployment decider: SetGoal (start/stop)', () => {
  const stop = { type: 'SetGoal', host: 'h1', hostRegistered: true, jobId: web.id, goal: 'STOP', time: later } as const;

  it('changes the goal, keeping the ports', () => {
    const changed: DeploymentEvent = { type: 'GoalChanged', host: 'h1', jobId: web.id, goal: 'STOP', time: later };
    given(deploymentDecider, [webDeployed]).when(stop).then([changed]);
    const state = foldEvents(deploymentDecider, [webDeployed, changed]);
    expect(state.deployments[web.id]).toMatchObject({ goal: 'STOP', ports: { admin: 20000, http: 8080 } });
  });

  it('no event when the goal is already the one asked for', () => {
    given(deploymentDecider, [webDeployed]).when({ ...stop, goal: 'START' }).then([]);
  });

  it('JOB_NOT_DEPLOYED, HOST_NOT_FOUND and FORBIDDEN as for undeploy', () => {
    given(deploymentDecider).when(stop).thenThrows(ErrorCode.JOB_NOT_DEPLOYED);
    given(deploymentDecider, [webDeployed]).when({ ...stop, hostRegistered: false }).thenThrows(ErrorCode.HOST_NOT_FOUND);
    given(deploymentDecider, [secretDeployed]).when({ ...stop, jobId: secret.id, token: 'bad' }).thenThrows(ErrorCode.FORBIDDEN);
    given(deploymentDecider, [secretDeployed])
      .when({ ...stop, jobId: secret.id, token: 'tok' })
      .then([{ type: 'GoalChanged', host: 'h1', jobId: secret.id, goal: 'STOP', time: later }]);
  });
});

describe('deployment decider: RecordTaskStatus', () => {
  const status: TaskStatus = { jobId: web.id, goal: 'START', state: 'RUNNING', throttled: 'NO', containerId: 'c1', ports: {}, time: later };
  const record = (s: TaskStatus): DeploymentCommand => ({ type: 'RecordTaskStatus', host: 'h1', status: s, time: later });
  const changed = (s: TaskStatus): DeploymentEvent => ({ type: 'TaskStatusChanged', host: 'h1', jobId: s.jobId, status: s });

  it('records the first status of a deployed job', () => {
    given(deploymentDecider, [webDeployed]).when(record(status)).then([changed(status)]);
  });

  it('no event for a repeat, even at a later time', () => {
    given(deploymentDecider, [webDeployed, changed(status)])
      .when(record({ ...status, time: '2024-01-02T00:00:00.000Z', env: { X: '1' } }))
      .then([]);
  });

  it.each([
    ['state', { state: 'EXITED' }],
    ['container id', { containerId: 'c2' }],
    ['throttle', { throttled: 'FLAPPING' }],
    ['exit code', { exitCode: 1 }],
  ] as const)('an event when the %s changes', (_what, change) => {
    const next = { ...status, ...change };
    given(deploymentDecider, [webDeployed, changed(status)]).when(record(next)).then([changed(next)]);
  });

  it('ignores statuses of jobs not deployed on the host (nor undeployed before the agent ever reported them)', () => {
    given(deploymentDecider).when(record(status)).then([]);
    given(deploymentDecider, [webDeployed, { type: 'JobUndeployed', host: 'h1', jobId: web.id, time }]).when(record(status)).then([]);
  });

  describe('the stop of an undeployed task (issue 18.4)', () => {
    const undeployed: DeploymentEvent = { type: 'JobUndeployed', host: 'h1', jobId: web.id, time: later };
    const stopping: TaskStatus = { ...status, goal: 'UNDEPLOY', state: 'STOPPING' };
    const stopped: TaskStatus = { ...stopping, state: 'STOPPED' };
    const history = [webDeployed, changed(status), undeployed];

    it('given a running task undeployed, when the agent reports STOPPING then STOPPED, then both are recorded', () => {
      given(deploymentDecider, history)
        .when({ type: 'RecordTaskStatuses', host: 'h1', statuses: [stopping, stopping, stopped], time: later })
        .then([changed(stopping), changed(stopped)]);
    });

    it('EXITED with its code is recorded, and the STOPPED after it; after STOPPED nothing more is recorded', () => {
      const exited: TaskStatus = { ...stopping, state: 'EXITED', exitCode: 137 };
      given(deploymentDecider, [...history, changed(stopping)]).when(record(exited)).then([changed(exited)]);
      given(deploymentDecider, [...history, changed(stopping), changed(exited)]).when(record(stopped)).then([changed(stopped)]);
      given(deploymentDecider, [...history, changed(stopped)]).when(record({ ...stopped, containerId: 'c9' })).then([]);
      given(deploymentDecider, [...history, changed(stopped)]).when(record(exited)).then([]);
    });

    it('a crashed (EXITED) task undeployed: its STOPPED is still recorded', () => {
      const crashed: TaskStatus = { ...status, state: 'EXITED', exitCode: 1 };
      given(deploymentDecider, [webDeployed, changed(crashed), undeployed]).when(record(stopped)).then([changed(stopped)]);
    });

    it('state: followed until stopped; a new deploy of the job, or the host cleared, ends it', () => {
      const state = (events: readonly DeploymentEvent[]): DeploymentState => foldEvents(deploymentDecider, events, deploymentDecider.initialState);
      expect(state(history)).toEqual({ deployments: {}, stopping: { [web.id]: { jobId: web.id, undeployedAt: later, lastStatus: status } } });
      expect(state([...history, changed(stopping)]).stopping?.[web.id]?.lastStatus).toEqual(stopping);
      expect(state([...history, changed(stopping), changed(stopped)])).toEqual({ deployments: {} });
      expect(state([...history, webDeployed]).stopping).toBeUndefined();
      expect(state([...history, { type: 'HostDeploymentsCleared', host: 'h1', jobIds: [], time: later }])).toEqual({ deployments: {} });
    });

    it('a task already STOPPED when undeployed has nothing more to say', () => {
      given(deploymentDecider, [webDeployed, changed(stopped), undeployed]).when(record({ ...stopped, time: '2024-01-03T00:00:00.000Z', containerId: 'c2' })).then([]);
    });
  });

  it('records a whole report in one decision: each transition in order, repeats and foreign jobs dropped', () => {
    const creating = { ...status, state: 'CREATING' as const, containerId: undefined };
    const foreign = { ...status, jobId: 'other:1:x' };
    given(deploymentDecider, [webDeployed])
      .when({ type: 'RecordTaskStatuses', host: 'h1', statuses: [creating, status, status, foreign], time: later })
      .then([changed(creating), changed(status)]);
  });
});

describe('deployment decider: ClearHostDeployments', () => {
  it('clears every deployment of a deregistered host', () => {
    const cleared: DeploymentEvent = { type: 'HostDeploymentsCleared', host: 'h1', jobIds: [secret.id, web.id], time: later };
    given(deploymentDecider, [webDeployed, secretDeployed]).when({ type: 'ClearHostDeployments', host: 'h1', time: later }).then([cleared]);
  });

  it('records the clearing of a host with no deployments too, so a deploy racing the deregistration conflicts on the same aggregate', () => {
    given(deploymentDecider, [])
      .when({ type: 'ClearHostDeployments', host: 'h1', time: later })
      .then([{ type: 'HostDeploymentsCleared', host: 'h1', jobIds: [], time: later }]);
  });
});

describe('desiredTasksOf', () => {
  it('lists the host’s jobs sorted by id, with goal, ports, group and when each was deployed', () => {
    const state = foldEvents(deploymentDecider, [groupDeployed, { ...secretDeployed, goal: 'STOP', time: later }]);
    const jobs = new Map([web, secret].map((job) => [job.id, job]));
    expect(desiredTasksOf(state, jobs)).toEqual([
      { jobId: secret.id, job: secret, goal: 'STOP', ports: {}, deployedAt: later },
      { jobId: web.id, job: web, goal: 'START', ports: { admin: 20000, http: 8080 }, deploymentGroupName: 'g1', deployedAt: groupDeployed.time },
    ]);
  });

  it('gives no task for a deployed job it does not know (the projection records that as an anomaly), and keeps the others', () => {
    const state = foldEvents(deploymentDecider, [webDeployed, secretDeployed]);
    expect(desiredTasksOf(state, new Map([[secret.id, secret]])).map((task) => task.jobId)).toEqual([secret.id]);
    expect(desiredTasksOf(state, new Map())).toEqual([]);
  });
});

describe('assertJobNotInUse', () => {
  const h1 = foldEvents(deploymentDecider, [webDeployed]);
  const h2 = foldEvents(deploymentDecider, [{ ...webDeployed, host: 'h2', goal: 'STOP' }]);
  const empty = deploymentDecider.initialState;

  it('STILL_IN_USE listing the hosts, whatever the goal', () => {
    expect(() => assertJobNotInUse(web.id, new Map([['h2', h2], ['h1', h1], ['h3', empty]]))).toThrow(
      expect.objectContaining({ code: ErrorCode.STILL_IN_USE, details: { jobId: web.id, hosts: ['h1', 'h2'] } }),
    );
  });

  it('passes when the job is deployed nowhere', () => {
    expect(() => assertJobNotInUse(api.id, new Map([['h1', h1]]))).not.toThrow();
    expect(() => assertJobNotInUse(web.id, [])).not.toThrow();
  });
});

describe('port allocation (property)', () => {
  const jobs: Job[] = [
    web,
    api,
    dns,
    dyn,
    testJob('d1:1:0001', { x: { internalPort: 1, protocol: 'tcp' } }),
    testJob('d3:1:0003', {
      x: { internalPort: 1, protocol: 'tcp' },
      y: { internalPort: 2, protocol: 'tcp' },
      z: { internalPort: 3, protocol: 'udp' },
    }),
    testJob('s1:1:0004', { x: { internalPort: 1, externalPort: 20003, protocol: 'tcp' } }),
    testJob('s2:1:0005', { x: { internalPort: 1, externalPort: 20003, protocol: 'udp' }, y: { internalPort: 2, protocol: 'udp' } }),
  ];
  const step = fc.record({ undeploy: fc.boolean(), job: fc.constantFrom(...jobs) });

  function run(steps: readonly { undeploy: boolean; job: Job }[]): { state: DeploymentState; events: DeploymentEvent[] } {
    let state = deploymentDecider.initialState;
    const events: DeploymentEvent[] = [];
    for (const { undeploy, job } of steps) {
      const command: DeploymentCommand = undeploy
        ? { type: 'Undeploy', host: 'h1', hostRegistered: true, jobId: job.id, time }
        : deploy(job, { portRange: { from: 20000, to: 20008 } });
      try {
        const decided = deploymentDecider.decide(command, state);
        events.push(...decided);
        state = foldEvents(deploymentDecider, decided, state);
      } catch {
        // refused commands (conflicts, not deployed, exhausted range) write nothing
      }
    }
    return { state, events };
  }

  it('never gives two deployments the same host port and protocol; a replay gives the same allocation', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const { state, events } = run(steps);
        const keys = portsInUse(state).map((use) => `${use.port}/${use.protocol}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(foldEvents(deploymentDecider, events)).toEqual(state);
        for (const deployment of Object.values(state.deployments)) {
          for (const port of Object.values(deployment.ports)) {
            expect(port === 8080 || (port >= 20000 && port < 20008)).toBe(true);
          }
        }
      }),
    );
  });

  it('is deterministic: the same commands give the same events', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        expect(run(steps).events).toEqual(run(steps).events);
      }),
    );
  });
});
