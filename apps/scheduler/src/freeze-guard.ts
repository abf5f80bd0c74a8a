import { activeFreeze, deployFrozen, freezeDecider, type FreezeTarget } from '@berth/domain';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { CommandExecutor, Origin } from './command-executor';

/**
 * A start that a freeze in force forbids: refused with DEPLOY_FROZEN, or,
 * with an override reason, allowed; `record` then appends the override to
 * the freeze's history (FreezeOverridden) once the subject exists.
 */
export function guardFreeze(
  executor: CommandExecutor,
  view: BerthView,
  target: FreezeTarget,
  what: string,
  override: string | undefined,
): { record: (subject: string, origin: Origin) => Promise<void> } {
  const frozen = activeFreeze(view.freezes(), target, executor.now());
  if (frozen === undefined) return { record: async () => undefined };
  const reason = override?.trim();
  if (reason === undefined || reason === '') throw deployFrozen(frozen, what);
  const { name } = frozen.freeze;
  return {
    record: async (subject, origin) => {
      await executor.execute(Aggregate.FREEZE, name, freezeDecider, (_, time) => ({ type: 'RecordFreezeOverride' as const, name, reason, subject, time }), origin);
    },
  };
}
