/**
 * The register in-process with its printer on a socat pty (the ESC/POS emulator on the
 * other end), a real mosquitto and the cloud on it: for tests of paper trouble.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrinterEmulator } from '../../drivers/printer/emulator/printer-emulator.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { removeDir, startAppRig, type AppRig } from './app-rig.ts';
import { connectCloud, type Cloud } from './cloud.ts';
import { testLog } from './fn-rig.ts';
import { startMosquitto } from './mosquitto.ts';
import { ptyPair } from './pty-pair.ts';

export interface PrinterAppRig {
  readonly emulator: PrinterEmulator;
  readonly rig: AppRig;
  readonly cloud: Cloud;
  stop(): Promise<void>;
}

export async function startPrinterAppRig(overrides: Record<string, unknown> = {}): Promise<PrinterAppRig> {
  const broker = await startMosquitto();
  const pty = await ptyPair();
  const dir = mkdtempSync(join(tmpdir(), 'kassa-print-app-'));
  const device = await openSerialPort({ path: pty.b, baudRate: 38400 });
  const emulator = new PrinterEmulator({ port: device, clock: systemClock(), log: testLog() }, { outputDir: dir });
  emulator.start();
  const rig = await startAppRig(broker.url, { printer: { kind: 'serial', path: pty.a, baudRate: 38400, columns: 32 }, ...overrides });
  const cloud = await connectCloud(broker.url, rig.config.mqtt.topicPrefix);
  return {
    emulator,
    rig,
    cloud,
    async stop() {
      await cloud.close();
      await rig.stop();
      await device.close();
      await pty.close();
      await broker.close();
      removeDir(rig.dataDir);
      removeDir(dir);
    },
  };
}
