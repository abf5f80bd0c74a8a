import { runService } from '@berth/service';
import { schedulerConfigSchema } from './config';
import { startScheduler } from './scheduler';

void runService({
  name: 'scheduler',
  summary: "the only writer of Berth's events: commands in, events out, rollouts, host liveness.",
  schema: schedulerConfigSchema,
  start: startScheduler,
});
