import { foldEvents } from '../decider';
import { ErrorCode } from '../errors';
import { given } from '../testing/given-when-then';
import { DEFAULT_TAKEOVER_AFTER_SECONDS, hostDecider, type HostEvent, type RegisterHost } from './host.decider';

const t0 = '2024-01-01T00:00:00.000Z';
const t1 = '2024-01-01T00:01:00.000Z';
const at = (seconds: number): string => new Date(Date.parse(t1) + seconds * 1000).toISOString();

const register: RegisterHost = {
  type: 'RegisterHost',
  host: 'h1',
  agentId: 'agent-a',
  labels: { role: 'web' },
  info: { cpus: 4, dockerVersion: '20.10' },
  time: t0,
};
const registered: HostEvent = {
  type: 'HostRegistered',
  host: 'h1',
  agentId: 'agent-a',
  labels: { role: 'web' },
  info: { cpus: 4, dockerVersion: '20.10' },
  time: t0,
};
const down: HostEvent = { type: 'HostDown', host: 'h1', time: t1 };

describe('host decider: RegisterHost', () => {
  it('registers an unknown host, UP', () => {
    given(hostDecider).when(register).then([registered]);
    expect(foldEvents(hostDecider, [registered])).toMatchObject({ kind: 'registered', status: 'UP', registeredAt: t0, agentId: 'agent-a' });
  });

  it('records the port range when given', () => {
    const portRange = { from: 30000, to: 30010 };
    given(hostDecider).when({ ...register, portRange }).then([{ ...registered, portRange }]);
  });

  it('the same agent with the same labels and info changes nothing (NOT_MODIFIED)', () => {
    given(hostDecider, [registered])
      .when({ ...register, info: { dockerVersion: '20.10', cpus: 4 }, time: t1 })
      .then([]);
  });

  it('the same agent with changed labels, info or port range → HostUpdated', () => {
    given(hostDecider, [registered])
      .when({ ...register, labels: { role: 'db' }, time: t1 })
      .then([{ type: 'HostUpdated', host: 'h1', labels: { role: 'db' }, info: register.info, time: t1 }]);
    given(hostDecider, [registered])
      .when({ ...register, info: { cpus: 8 }, time: t1 })
      .then([{ type: 'HostUpdated', host: 'h1', labels: register.labels, info: { cpus: 8 }, time: t1 }]);
    const portRange = { from: 1, to: 2 };
    given(hostDecider, [registered])
      .when({ ...register, portRange, time: t1 })
      .then([{ type: 'HostUpdated', host: 'h1', labels: register.labels, info: register.info, portRange, time: t1 }]);
  });

  it('HostUpdated keeps the agent, registration time and liveness', () => {
    const updated: HostEvent = { type: 'HostUpdated', host: 'h1', labels: { role: 'db' }, info: {}, time: t1 };
    expect(foldEvents(hostDecider, [registered, down, updated])).toEqual({
      kind: 'registered',
      host: 'h1',
      agentId: 'agent-a',
      labels: { role: 'db' },
      info: {},
      registeredAt: t0,
      status: 'DOWN',
      downSince: t1,
    });
  });

  it('another agent may not take an UP host: HOST_ALREADY_REGISTERED', () => {
    const error = given(hostDecider, [registered])
      .when({ ...register, agentId: 'agent-b', time: at(100_000) })
      .thenThrows(ErrorCode.HOST_ALREADY_REGISTERED);
    expect(error.details).toMatchObject({ host: 'h1', agentId: 'agent-a', status: 'UP' });
  });

  it('another agent may not take a host DOWN for less than the takeover time', () => {
    given(hostDecider, [registered, down])
      .when({ ...register, agentId: 'agent-b', takeoverAfterSeconds: 60, time: at(59.999) })
      .thenThrows(ErrorCode.HOST_ALREADY_REGISTERED);
    given(hostDecider, [registered, down])
      .when({ ...register, agentId: 'agent-b', time: at(DEFAULT_TAKEOVER_AFTER_SECONDS - 1) })
      .thenThrows(ErrorCode.HOST_ALREADY_REGISTERED);
  });

  it('another agent takes over a host DOWN for at least the takeover time; the host is UP again', () => {
    const takeover = { ...register, agentId: 'agent-b', labels: { role: 'api' }, takeoverAfterSeconds: 60, time: at(60) };
    const taken: HostEvent = { ...registered, agentId: 'agent-b', labels: { role: 'api' }, previousAgentId: 'agent-a', time: at(60) };
    given(hostDecider, [registered, down]).when(takeover).then([taken]);
    expect(foldEvents(hostDecider, [registered, down, taken])).toMatchObject({ agentId: 'agent-b', status: 'UP', registeredAt: at(60) });
    expect(foldEvents(hostDecider, [registered, down, taken])).not.toHaveProperty('downSince');
    given(hostDecider, [registered, down])
      .when({ ...register, agentId: 'agent-b', time: at(DEFAULT_TAKEOVER_AFTER_SECONDS) })
      .then([{ ...registered, agentId: 'agent-b', previousAgentId: 'agent-a', time: at(DEFAULT_TAKEOVER_AFTER_SECONDS) }]);
  });

  it('the DOWN time counts from the HostDown event, not from registration', () => {
    const laterDown: HostEvent = { type: 'HostDown', host: 'h1', time: at(1000) };
    given(hostDecider, [registered, down, { type: 'HostUp', host: 'h1', time: at(500) }, laterDown])
      .when({ ...register, agentId: 'agent-b', takeoverAfterSeconds: 60, time: at(1059) })
      .thenThrows(ErrorCode.HOST_ALREADY_REGISTERED);
  });

  it('refuses a command time that is not an instant', () => {
    const outcome = given(hostDecider).when({ ...register, time: 'yesterday' }).outcome();
    expect(outcome.kind).toBe('error');
  });
});

describe('host decider: DeregisterHost', () => {
  it('deregisters a known host, which may then be registered by any agent', () => {
    const deregistered: HostEvent = { type: 'HostDeregistered', host: 'h1', time: t1 };
    given(hostDecider, [registered]).when({ type: 'DeregisterHost', host: 'h1', time: t1 }).then([deregistered]);
    given(hostDecider, [registered, deregistered])
      .when({ ...register, agentId: 'agent-b', time: at(1) })
      .then([{ ...registered, agentId: 'agent-b', time: at(1) }]);
  });

  it('HOST_NOT_FOUND for an unknown or already deregistered host', () => {
    given(hostDecider).when({ type: 'DeregisterHost', host: 'h1', time: t1 }).thenThrows(ErrorCode.HOST_NOT_FOUND);
    given(hostDecider, [registered, { type: 'HostDeregistered', host: 'h1', time: t1 }])
      .when({ type: 'DeregisterHost', host: 'h1', time: at(1) })
      .thenThrows(ErrorCode.HOST_NOT_FOUND);
  });
});

describe('host decider: liveness', () => {
  it('HostDown only on the UP → DOWN transition', () => {
    given(hostDecider, [registered]).when({ type: 'MarkHostDown', host: 'h1', time: t1 }).then([down]);
    given(hostDecider, [registered, down]).when({ type: 'MarkHostDown', host: 'h1', time: at(5) }).then([]);
  });

  it('HostUp only on the DOWN → UP transition', () => {
    const up = { type: 'MarkHostUp', host: 'h1', agentId: 'agent-a', time: at(5) } as const;
    given(hostDecider, [registered]).when(up).then([]);
    given(hostDecider, [registered, down]).when(up).then([{ type: 'HostUp', host: 'h1', time: at(5) }]);
    expect(foldEvents(hostDecider, [registered, down, { type: 'HostUp', host: 'h1', time: at(5) }])).toMatchObject({ status: 'UP' });
  });

  it('only the registered agent keeps a host alive', () => {
    given(hostDecider, [registered, down])
      .when({ type: 'MarkHostUp', host: 'h1', agentId: 'agent-b', time: at(5) })
      .thenThrows(ErrorCode.HOST_ALREADY_REGISTERED);
  });

  it('HOST_NOT_FOUND for liveness of an unknown host', () => {
    given(hostDecider).when({ type: 'MarkHostUp', host: 'h1', agentId: 'a', time: t1 }).thenThrows(ErrorCode.HOST_NOT_FOUND);
    given(hostDecider).when({ type: 'MarkHostDown', host: 'h1', time: t1 }).thenThrows(ErrorCode.HOST_NOT_FOUND);
  });
});
