import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PinoNestLogger } from './pino-nest-logger';

function capture(level: string): { nest: PinoNestLogger; lines: () => { level: number; msg: string; context?: string }[] } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { nest: new PinoNestLogger(pino({ level }, sink)), lines: () => out.map((l) => JSON.parse(l)) };
}

describe('PinoNestLogger', () => {
  it("logs Nest's boot narration (modules, routes) at debug, so an info log shows none of it", () => {
    const { nest, lines } = capture('info');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('JobsController {/api/v1/jobs}:', 'RoutesResolver');
    nest.log('Mapped {/api/v1/jobs, GET} route', 'RouterExplorer');
    nest.log('Mapped {/graphql, POST} route', 'GraphQLModule');
    nest.log('Starting Nest application...', 'NestFactory');
    nest.log('Nest application successfully started', 'NestApplication');
    expect(lines()).toEqual([]);
  });

  it('shows the boot narration at debug', () => {
    const { nest, lines } = capture('debug');
    nest.log('Mapped {/api/v1/jobs, GET} route', 'RouterExplorer');
    expect(lines()).toEqual([expect.objectContaining({ level: 20, context: 'RouterExplorer', msg: 'Mapped {/api/v1/jobs, GET} route' })]);
  });

  it('keeps every other log line at info, and warnings and errors at their level', () => {
    const { nest, lines } = capture('info');
    nest.log('something an operator needs', 'GatewayService');
    nest.warn('careful', 'RouterExplorer');
    nest.error('broken', 'trace', 'RoutesResolver');
    expect(lines().map((l) => [l.level, l.msg])).toEqual([
      [30, 'something an operator needs'],
      [40, 'careful'],
      [50, 'broken'],
    ]);
  });
});
