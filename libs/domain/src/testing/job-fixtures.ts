/**
 * The "All Helios Job Options" example from the Helios user manual, verbatim.
 * Note what it takes to create it: its `expires` (2014) is in the past, its
 * `addCapabilities` need a whitelist, and its id hash was computed by Helios's
 * own serialisation, which Berth does not reproduce (see job-id.ts).
 */
export const heliosManualExampleJob = {
  addCapabilities: ['IPC_LOCK', 'SYSLOG'],
  dropCapabilities: ['SYS_BOOT', 'KILL'],
  command: ['server', 'serverconfig.yaml'],
  env: { JVM_ARGS: '-Ddw.feature.randomFeatureFlagEnabled=true' },
  expires: '2014-06-01T12:00:00Z',
  gracePeriod: 60,
  healthCheck: { type: 'http', path: '/healthcheck', port: 'http-admin' },
  id: 'myservice:0.5:3539b7bc2235d53f79e6e8511942bbeaa8816265',
  image: 'myregistry:80/janedoe/myservice:0.5-98c6ff4',
  hostname: 'myhost',
  metadata: { foo: 'bar' },
  networkMode: 'bridge',
  ports: {
    http: { externalPort: 8080, internalPort: 8080, protocol: 'tcp' },
    'http-admin': { externalPort: 8081, internalPort: 8081, ip: '127.0.0.1', protocol: 'tcp' },
  },
  ramdisks: { '/mount/point/in/container': 'mount-options' },
  registration: { 'fooservice/http': { ports: { http: {} } } },
  registrationDomain: '',
  resources: { memory: 10485760, memorySwap: 10485760, cpuset: '0', cpuShares: 512 },
  rolloutOptions: {
    migrate: false,
    parallelism: 2,
    timeout: 1000,
    overlap: true,
    token: 'insecure-access-token',
    ignoreFailures: false,
  },
  secondsToWaitBeforeKill: 120,
  securityOpt: ['label:user:USER', 'apparmor:PROFILE'],
  token: 'insecure-access-token',
  runtime: 'nvidia',
  volumes: { '/destination/path/in/container.yaml:ro': '/source/path/in/host.yaml' },
} as const;
