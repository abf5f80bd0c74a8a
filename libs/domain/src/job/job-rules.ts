import type { Problem } from '../errors';
import { isIpAddress } from '../ip-address';
import { childPath } from '../json-reader';
import { hasStaticPorts } from './job';
import { imageReferenceProblems } from './image-reference';
import type { JobDraft } from './job-reader';

/**
 * Helios's job rules (JobValidator, plus the CLI's grace-period check and
 * PortMapping's IP check), applied to a draft whose JSON types are already
 * known. Messages are Helios's where it has one. Each rule returns all of its
 * problems; none stops the others.
 */
export interface JobRuleOptions {
  /** Epoch milliseconds that "in the past" is measured against. */
  readonly now: number;
  /**
   * Capabilities `addCapabilities` may use. Helios's master checks against
   * `--whitelisted-capability`, which is empty by default, so by default any
   * added capability is rejected.
   */
  readonly whitelistedCapabilities?: readonly string[];
  /** False for client-side validation, which (like Helios's CLI) has no whitelist to check against. */
  readonly checkCapabilities?: boolean;
  /**
   * Helios enforces "no grace period with static ports" in its CLI only; the
   * master accepts such jobs (the manual's own example has both). Off by
   * default for the same reason; a client turns it on.
   */
  readonly rejectGracePeriodWithStaticPorts?: boolean;
}

const HOSTNAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PORT_NAME = /^\S+$/;
const REGISTRATION_NAME = /^[_\-\w]+$/;
const MAX_PORT = 65535;

function problem(path: string, message: string): Problem {
  return { path, message };
}

function imageProblems(draft: JobDraft): Problem[] {
  if (draft.image === undefined) return []; // reported by the reader
  return imageReferenceProblems(draft.image).map((message) => problem('image', message));
}

function hostnameProblems(draft: JobDraft): Problem[] {
  const { hostname } = draft;
  if (hostname === undefined || hostname === '' || HOSTNAME.test(hostname)) return [];
  const message = `Invalid hostname (${hostname}), only [a-z0-9][a-z0-9-] are allowed, size between 1 and 63`;
  return [problem('hostname', message)];
}

function legalPort(port: number): boolean {
  return port >= 0 && port <= MAX_PORT;
}

function portProblems(draft: JobDraft): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // sorted, so that which of two duplicates is reported does not depend on key order
  for (const name of Object.keys(draft.ports).sort()) {
    const mapping = draft.ports[name];
    if (mapping === undefined) continue;
    const path = childPath('ports', name);
    if (!PORT_NAME.test(name)) problems.push(problem(path, `Invalid port mapping endpoint name: ${name}`));
    if (!legalPort(mapping.internalPort)) {
      problems.push(problem(childPath(path, 'internalPort'), `Invalid internal port: ${mapping.internalPort}`));
    }
    if (mapping.ip !== undefined && !isIpAddress(mapping.ip)) {
      problems.push(problem(childPath(path, 'ip'), `${mapping.ip} is not a valid IP address.`));
    }
    const external = mapping.externalPort;
    if (external === undefined) continue;
    if (!legalPort(external)) problems.push(problem(childPath(path, 'externalPort'), `Invalid external port: ${external}`));
    // the same number is fine once for tcp and once for udp
    const key = `${external}/${mapping.protocol}`;
    if (seen.has(key)) problems.push(problem(childPath(path, 'externalPort'), `Duplicate external port mapping: ${key}`));
    seen.add(key);
  }
  return problems;
}

function registrationProblems(draft: JobDraft): Problem[] {
  const problems: Problem[] = [];
  for (const [endpoint, servicePorts] of Object.entries(draft.registration)) {
    const path = childPath('registration', endpoint);
    const slash = endpoint.indexOf('/');
    const name = endpoint.slice(0, slash);
    if (!REGISTRATION_NAME.test(name)) problems.push(problem(path, `Invalid service registration name: ${name}`));
    if (endpoint.slice(slash + 1) === '') problems.push(problem(path, `Invalid service registration protocol: ${endpoint}`));
    for (const portName of Object.keys(servicePorts.ports)) {
      if (Object.hasOwn(draft.ports, portName)) continue;
      const message = `Service registration refers to missing port mapping: ${endpoint}=${portName}`;
      problems.push(problem(childPath(childPath(path, 'ports'), portName), message));
    }
  }
  return problems;
}

function gracePeriodProblems(draft: JobDraft, options: JobRuleOptions): Problem[] {
  if (!options.rejectGracePeriodWithStaticPorts || !(draft.gracePeriod && draft.gracePeriod > 0)) return [];
  if (!hasStaticPorts(draft)) return [];
  const message =
    'Job has both grace period and static/external ports: the new container cannot start while the old one ' +
    'holds the port during the grace period. Use dynamic ports or no grace period.';
  return [problem('gracePeriod', message)];
}

function volumeProblems(draft: JobDraft): Problem[] {
  const problems: Problem[] = [];
  for (const [target, source] of Object.entries(draft.volumes)) {
    const path = childPath('volumes', target);
    if (!target.startsWith('/')) {
      problems.push(problem(path, `Volume path is not absolute: ${target}`));
      continue;
    }
    // a source without '/' is a named volume (or '' for an anonymous one)
    if (source.includes('/') && !source.startsWith('/')) {
      problems.push(problem(path, `Volume source is not absolute: ${source}`));
    }
    const [containerPath, mode, ...rest] = target.split(':');
    if (containerPath === '/' || rest.length > 0) {
      problems.push(problem(path, `Invalid volume path: ${target}`));
    } else if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
      problems.push(problem(path, `Invalid volume path: ${target} (the mode must be rw or ro)`));
    }
  }
  return problems;
}

function ramdiskProblems(draft: JobDraft): Problem[] {
  const problems: Problem[] = [];
  const volumeMountPoints = new Set(Object.keys(draft.volumes).map((target) => target.split(':')[0]));
  for (const mountPoint of Object.keys(draft.ramdisks)) {
    const path = childPath('ramdisks', mountPoint);
    if (!mountPoint.startsWith('/')) problems.push(problem(path, `Ramdisk mount point is not absolute: ${mountPoint}`));
    if (volumeMountPoints.has(mountPoint)) problems.push(problem(path, `Ramdisk mount point used by volume: ${mountPoint}`));
  }
  return problems;
}

function expiryProblems(draft: JobDraft, options: JobRuleOptions): Problem[] {
  if (draft.expires === undefined || Date.parse(draft.expires) >= options.now) return [];
  return [problem('expires', 'Job expires in the past')];
}

function healthCheckProblems(draft: JobDraft): Problem[] {
  const check = draft.healthCheck;
  if (check === undefined) return [];
  if (check.type === 'exec') {
    if (check.command.length > 0) return [];
    return [problem('healthCheck.command', 'A command must be defined for `docker exec`-based health checks.')];
  }
  const problems: Problem[] = [];
  const known = Object.keys(draft.ports);
  if (check.port === '') {
    problems.push(problem('healthCheck.port', 'A port must be defined for HTTP and TCP health checks.'));
  } else if (!known.includes(check.port)) {
    const message = `Health check port '${check.port}' not defined in the job. Known ports are '${known.join(', ')}'`;
    problems.push(problem('healthCheck.port', message));
  }
  if (check.type === 'http' && !check.path.startsWith('/')) {
    problems.push(problem('healthCheck.path', `Health check path must start with '/': '${check.path}'`));
  }
  return problems;
}

function networkModeProblems(draft: JobDraft): Problem[] {
  const mode = draft.networkMode;
  // Berth adds `none` to Helios's list: a job with no network at all is legitimate (batch work, tests)
  if (mode === undefined || mode === 'bridge' || mode === 'host' || mode === 'none') return [];
  if (mode.startsWith('container:') && mode.length > 'container:'.length) return [];
  return [problem('networkMode', "A Docker container's network mode must be bridge, host, none, or container:<name|id>.")];
}

function capabilityProblems(draft: JobDraft, options: JobRuleOptions): Problem[] {
  if (options.checkCapabilities === false) return [];
  const allowed = options.whitelistedCapabilities ?? [];
  const disallowed = draft.addCapabilities.filter((capability) => !allowed.includes(capability));
  if (disallowed.length === 0) return [];
  const message =
    `The following Linux capabilities aren't allowed by the scheduler: '${disallowed.join(', ')}'. ` +
    `The allowed capabilities are: '${allowed.join(', ')}'. ` +
    `The scheduler's setting --whitelisted-capabilities (env BERTH_WHITELISTED_CAPABILITIES, comma-separated) allows more, e.g. --whitelisted-capabilities ${[...allowed, ...disallowed].join(',')}.`;
  return [problem('addCapabilities', message)];
}

/** Every content rule; an empty list means the draft is a valid job (identity aside, see job-id.ts). */
export function jobRuleProblems(draft: JobDraft, options: JobRuleOptions): Problem[] {
  return [
    ...imageProblems(draft),
    ...hostnameProblems(draft),
    ...portProblems(draft),
    ...registrationProblems(draft),
    ...gracePeriodProblems(draft, options),
    ...volumeProblems(draft),
    ...ramdiskProblems(draft),
    ...expiryProblems(draft, options),
    ...healthCheckProblems(draft),
    ...networkModeProblems(draft),
    ...capabilityProblems(draft, options),
  ];
}
