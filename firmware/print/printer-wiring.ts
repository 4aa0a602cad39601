/**
 * The printing side of the composition root: which printer the config names, built with
 * its port (the ESC/POS emulator in-process, or a serial line) and driver.
 */
import { resolve } from 'node:path';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import type { BytePort } from '../../drivers/port.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { made, type Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { EscPosPrinter } from './escpos-printer.ts';
import type { ReceiptPrinter } from './receipt-printer.ts';
import { consolePrinter, filePrinter, noPrinter } from './text-printers.ts';

export interface PrinterWiringDeps {
  readonly clock: Clock;
  readonly log: Log;
  /** Where the console printer writes. */
  readonly out: (text: string) => void;
}

export async function makePrinter(config: DeviceConfig, deps: PrinterWiringDeps, stops: (() => Promise<void> | void)[]): Promise<ReceiptPrinter> {
  const p = config.printer;
  switch (p.kind) {
    case 'none':
      return noPrinter();
    case 'console':
      return consolePrinter(deps.out);
    case 'file':
      return filePrinter(resolve(config.dataDir, p.dir));
    case 'emulator':
    case 'serial': {
      let port: BytePort;
      if (p.kind === 'emulator') {
        const [registerSide, deviceSide] = memoryPortPair('printer');
        // Loaded only when the config asks for it (issue 9 §5: a register that runs on real devices
        // never initialises the emulators' modules, in the bundle as under tsx).
        const { PrinterEmulator } = await import('../../drivers/printer/emulator/printer-emulator.ts');
        const emulator = new PrinterEmulator({ port: deviceSide, clock: deps.clock, log: deps.log }, { outputDir: resolve(config.dataDir, p.dir), columns: p.columns });
        emulator.start();
        stops.push(() => emulator.stop());
        port = registerSide;
      } else {
        port = await openSerialPort({ path: p.path, baudRate: p.baudRate, role: 'the printer (printer.path)' });
      }
      stops.push(() => port.close());
      const driver = new PrinterDriver({ port, clock: deps.clock, log: deps.log.child('printer') });
      driver.start();
      stops.push(() => driver.stop());
      return new EscPosPrinter({ driver, log: deps.log.child('printer') }, p.columns);
    }
  }
}


/** Printing as a service of the composition root: the printer is made at start, its line closed at stop. */
export class PrinterWing implements Service {
  readonly name = 'printer';
  private instance: ReceiptPrinter | undefined;
  private readonly stops: (() => Promise<void> | void)[] = [];

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: PrinterWiringDeps,
  ) {}

  get printer(): ReceiptPrinter {
    return made(this.instance, 'the printer');
  }

  async start(): Promise<void> {
    this.instance = await makePrinter(this.config, this.deps, this.stops);
  }

  async stop(): Promise<void> {
    for (const s of this.stops.splice(0).reverse()) await s();
  }

  describe(): Record<string, unknown> {
    return this.instance?.describe() ?? { started: false };
  }
}
