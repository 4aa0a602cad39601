/**
 * `kassa fn-emulator`: runs the FN emulator as its own process on a serial line, the way a
 * real FN outlives a crash of the register. Its state file survives restarts.
 */
import { parseArgs } from 'node:util';
import { phaseName } from '../../drivers/fn/fn-status-flags.ts';
import { createLog, type LogLevel } from '../core/log.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import { FnEmulator } from '../../drivers/fn/emulator/fn-emulator.ts';
import { fileStateStore } from '../../drivers/fn/emulator/fn-state-store.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { UsageError, type CliContext, type Command } from './cli-context.ts';

export const fnEmulatorCommand: Command = {
  name: 'fn-emulator',
  usage: `kassa fn-emulator --port <serial path> --state <file> [options]
  --port <path>           serial line to serve (required)
  --state <file>          durable FN state; created on first start (required)
  --baud <n>              line speed, default 115200 (the FN's power-up speed)
  --fn-number <16 digits> default 9999078900005488
  --secret <text>         per-FN secret of the emulated fiscal sign, default "demo-fn-secret"
  --operator-key <text>   test key shared with the OFD emulator, default the project's test key
  --no-timer-check        do not enforce the 5-minute FN timer rule (17h)
  --delay-ms <n>          fault: delay every answer
  --corrupt-rate <0..1>   fault: flip a bit in this share of answers
  --drop-rate <0..1>      fault: drop this share of answers
  --power-cut <hex>:<before|after>  fault: cut power at the next command with this code
                          (before or after it becomes durable); the process exits with 75
  --log <level>           debug | info | warn | error, default info`,
  async run(ctx: CliContext): Promise<number> {
    const { values } = parseArgs({
      args: [...ctx.args],
      options: {
        port: { type: 'string' },
        state: { type: 'string' },
        baud: { type: 'string', default: '115200' },
        'fn-number': { type: 'string', default: '9999078900005488' },
        secret: { type: 'string', default: 'demo-fn-secret' },
        'operator-key': { type: 'string', default: TEST_OPERATOR_KEY },
        'no-timer-check': { type: 'boolean', default: false },
        'delay-ms': { type: 'string', default: '0' },
        'corrupt-rate': { type: 'string', default: '0' },
        'drop-rate': { type: 'string', default: '0' },
        'power-cut': { type: 'string' },
        log: { type: 'string', default: 'info' },
      },
    });
    if (!values.port || !values.state) throw new UsageError('--port and --state are required');
    const log = createLog({ level: values.log as LogLevel, write: ctx.err });
    const clock = ctx.clock;
    const store = fileStateStore(values.state);
    const device = new FnDevice({ store, clock, log }, { fnNumber: values['fn-number'], secret: values.secret, operatorKey: values['operator-key'], checkTimer: !values['no-timer-check'] });
    const { droppedBytes } = device.boot();
    const port = await openSerialPort({ path: values.port, baudRate: Number(values.baud) });
    const emulator = new FnEmulator(
      { port, device, clock, log, random: Math.random },
      {
        responseDelayMs: Number(values['delay-ms']),
        corruptRate: Number(values['corrupt-rate']),
        dropRate: Number(values['drop-rate']),
        powerCut: parsePowerCut(values['power-cut']),
      },
    );
    emulator.start();
    const s = device.snapshot.state;
    log.info(`FN emulator ${s.fnNumber} on ${port.description}: ${phaseName(s.phase)} (code ${s.phase}), last FD ${s.lastFd}${droppedBytes ? `, dropped a torn record of ${droppedBytes} bytes` : ''}`);
    return new Promise<number>((resolve) => {
      const finish = (code: number): void => {
        emulator.stop();
        store.close();
        void port.close().then(() => resolve(code));
      };
      emulator.onPowerCut(() => finish(75));
      ctx.onStop(() => finish(0));
    });
  },
};

function parsePowerCut(spec: string | undefined): { command: number; at: 'before-commit' | 'after-commit' } | undefined {
  if (!spec) return undefined;
  const m = /^([0-9a-f]{1,2})h?:(before|after)$/i.exec(spec);
  if (!m) throw new UsageError(`--power-cut "${spec}" is not <hex>:<before|after>, e.g. 16:after`);
  return { command: parseInt(m[1] ?? '0', 16), at: m[2] === 'before' ? 'before-commit' : 'after-commit' };
}
