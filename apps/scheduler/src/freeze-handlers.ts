import { ListFreezesRequest, PipelineCommand, RemoveFreezeRequest, SetFreezeRequest } from '@berth/contracts';
import { freezeDecider, freezeWindowEnd, readFreezeWindow } from '@berth/domain';
import { Aggregate, type BerthView } from '@berth/read-model';
import type { CommandExecutor } from './command-executor';
import { route, type CommandRoute } from './command-server';

/** Deploy freezes: set (or replace) one by name, remove it, list them with whether each is in force now. */
export function freezeRoutes(executor: CommandExecutor, view: BerthView): CommandRoute[] {
  const sequence = () => view.projection.sequence;
  const rows = () => {
    const now = executor.now();
    return view.freezes().map((freeze) => {
      const until = freezeWindowEnd(freeze.window, now);
      return { ...freeze, active: until !== undefined, ...(until === undefined ? {} : { until }) };
    });
  };
  return [
    route(PipelineCommand.SET_FREEZE, SetFreezeRequest, async (req) => {
      const window = readFreezeWindow(req.window);
      await executor.execute(
        Aggregate.FREEZE,
        req.name,
        freezeDecider,
        (_, time) => ({
          type: 'SetFreeze' as const,
          name: req.name,
          ...(req.services === undefined ? {} : { services: req.services }),
          ...(req.groups === undefined ? {} : { groups: req.groups }),
          window,
          reason: req.reason,
          time,
        }),
        req,
      );
      return { freeze: rows().find((f) => f.name === req.name), sequence: sequence() };
    }),
    route(PipelineCommand.REMOVE_FREEZE, RemoveFreezeRequest, async (req) => {
      await executor.execute(Aggregate.FREEZE, req.name, freezeDecider, (_, time) => ({ type: 'RemoveFreeze' as const, name: req.name, time }), req);
      return { name: req.name, removed: true, sequence: sequence() };
    }),
    route(PipelineCommand.LIST_FREEZES, ListFreezesRequest, async () => ({ freezes: rows(), sequence: sequence() })),
  ];
}
