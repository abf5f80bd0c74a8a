import type { GatewayApi } from './gateway-client';
import { BerthCliError } from './errors';

/** The gateway's GraphQL documents and result shapes for deployment groups and rollouts (see apps/gateway/schema.gql). */

export interface GroupView {
  readonly name: string;
  readonly selectors: readonly string[];
  readonly defaults?: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly status: string;
  readonly error?: string | null;
  readonly jobId?: string | null;
  readonly rolloutId?: string | null;
  readonly reason?: string | null;
  readonly lastStableJobId?: string | null;
  /** hosts matching the selectors now, and the UP ones of them */
  readonly hostCounts?: { readonly matching: number; readonly up: number } | null;
}

export interface GroupHostView {
  readonly host: string;
  readonly upToDate: boolean;
  readonly job?: string | null;
  readonly state?: string | null;
}

export interface GroupStatusView {
  readonly name: string;
  readonly status: string;
  readonly error?: string | null;
  readonly jobId?: string | null;
  readonly rolloutId?: string | null;
  readonly reason?: string | null;
  readonly hosts: readonly GroupHostView[];
}

export interface RolloutHostView {
  readonly host: string;
  readonly state: string;
  readonly batch?: number | null;
  readonly canary: boolean;
  readonly up: boolean;
  readonly imagePulled?: boolean;
  readonly imageError?: string | null;
  readonly failure?: { readonly reason: string; readonly message: string } | null;
  /** how the host failed on the rollout's job before a revert (`failure` is the revert's own) */
  readonly failureBeforeRevert?: { readonly reason: string; readonly message: string } | null;
}

export interface RolloutView {
  readonly rolloutId: string;
  readonly group: string;
  readonly jobId: string;
  readonly targetJobId: string;
  readonly reason: string;
  readonly status: string;
  readonly finished: boolean;
  readonly paused: boolean;
  readonly promoted: boolean;
  readonly error?: string | null;
  readonly startedAt: string;
  readonly progress: { readonly pending: number; readonly upToDate: number; readonly deploying: number; readonly healthy: number; readonly failed: number; readonly skipped: number; readonly total: number; readonly failedBeforeRevert?: number };
  readonly options?: Record<string, unknown> | null;
  readonly limits?: Record<string, unknown> | null;
  readonly revertTo?: string | null;
  readonly hosts?: readonly RolloutHostView[] | null;
}

export const GROUP_FIELDS = 'name selectors defaults createdAt status error jobId rolloutId reason lastStableJobId hostCounts { matching up }';
export const GROUP_STATUS_FIELDS = 'name status error jobId rolloutId reason hosts { host upToDate job state }';
const SUMMARY_FIELDS = 'rolloutId group jobId targetJobId reason status finished paused promoted error startedAt progress { pending upToDate deploying healthy failed skipped total failedBeforeRevert }';
export const ROLLOUT_FIELDS = `${SUMMARY_FIELDS} options limits revertTo hosts { host state batch canary up imagePulled imageError failure { reason message } failureBeforeRevert { reason message } }`;

export async function listGroups(gateway: GatewayApi): Promise<GroupView[]> {
  const { deploymentGroups } = await gateway.request<{ deploymentGroups: { items: GroupView[] } }>(`query Groups { deploymentGroups { items { ${GROUP_FIELDS} } } }`);
  return deploymentGroups.items;
}

export async function getGroup(gateway: GatewayApi, name: string): Promise<GroupView> {
  const { deploymentGroup } = await gateway.request<{ deploymentGroup: { group: GroupView } }>(
    `query Group($name: String!) { deploymentGroup(name: $name) { group { ${GROUP_FIELDS} } } }`,
    { name },
  );
  return deploymentGroup.group;
}

export async function getGroupStatus(gateway: GatewayApi, name: string): Promise<GroupStatusView> {
  const { deploymentGroupStatus } = await gateway.request<{ deploymentGroupStatus: GroupStatusView }>(
    `query GroupStatus($name: String!) { deploymentGroupStatus(name: $name) { ${GROUP_STATUS_FIELDS} } }`,
    { name },
  );
  return deploymentGroupStatus;
}

export async function listRollouts(gateway: GatewayApi, group?: string): Promise<RolloutView[]> {
  const { rollouts } = await gateway.request<{ rollouts: { items: RolloutView[] } }>(`query Rollouts($group: String) { rollouts(group: $group) { items { ${SUMMARY_FIELDS} } } }`, {
    group: group ?? null,
  });
  return rollouts.items;
}

export async function getRollout(gateway: GatewayApi, id: string): Promise<RolloutView> {
  const { rollout } = await gateway.request<{ rollout: { rollout: RolloutView } }>(`query Rollout($id: String!) { rollout(id: $id) { rollout { ${ROLLOUT_FIELDS} } } }`, { id });
  return rollout.rollout;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A rollout id, or a unique prefix of one (uuids are long to type). */
export async function resolveRolloutId(gateway: GatewayApi, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const matches = (await listRollouts(gateway)).filter((r) => r.rolloutId.startsWith(ref.toLowerCase()));
  const [only] = matches;
  if (matches.length === 1 && only) return only.rolloutId;
  if (matches.length === 0) throw new BerthCliError('ROLLOUT_NOT_FOUND', `Rollout not found: ${ref}`, { rolloutId: ref });
  throw new BerthCliError('AMBIGUOUS_ROLLOUT_REFERENCE', `${ref} matches ${matches.length} rollouts: ${matches.map((r) => r.rolloutId).join(', ')}`, { rolloutId: ref });
}
