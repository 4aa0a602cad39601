/**
 * The console side of the composition root: the console the config names — on the service
 * UART (`serial`), on a TCP port (`tcp`, demo: `npm run kassa -- console`), or none.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { socketPort } from '../../drivers/socket-port.ts';
import type { ConsoleConfig } from '../config/device-config.ts';
import type { Log } from '../core/log.ts';
import type { ConsoleServices } from './console-commands.ts';
import { ConsoleSession } from './console-session.ts';
import type { TechnicianPin } from '../security/technician-pin.ts';

export interface ConsoleHandle {
  /** Where a technician connects: "serial /dev/ttyS1 @115200", "tcp 127.0.0.1:7323", or "none". */
  readonly where: string;
  /** The TCP port (tcp only): the one asked for, or the free one picked for port 0. */
  readonly port?: number;
  stop(): Promise<void>;
}

export async function startConsole(config: ConsoleConfig, deps: { readonly services: ConsoleServices; readonly log: Log; readonly pin?: TechnicianPin }, greeting: string): Promise<ConsoleHandle> {
  const log = deps.log.child('console');
  switch (config.kind) {
    case 'none':
      return { where: 'none', stop: async () => {} };
    case 'serial': {
      const port = await openSerialPort({ path: config.path, baudRate: config.baudRate });
      const session = new ConsoleSession({ port, services: deps.services, log, ...(deps.pin ? { pin: deps.pin } : {}) }, greeting);
      session.start();
      port.onClose((e) => log.warn(`console line ${config.path} closed${e ? `: ${e.message}` : ''}`));
      return {
        where: port.description,
        stop: async () => {
          session.stop();
          await port.close();
        },
      };
    }
    case 'tcp': {
      const open = new Set<{ session: ConsoleSession; close: () => Promise<void> }>();
      const server: Server = createServer((socket) => {
        const port = socketPort(socket);
        const session = new ConsoleSession({ port, services: deps.services, log, onExit: () => void port.close(), ...(deps.pin ? { pin: deps.pin } : {}) }, greeting);
        const entry = { session, close: () => port.close() };
        open.add(entry);
        port.onClose(() => {
          session.stop();
          open.delete(entry);
        });
        log.debug(() => `console session from ${port.description}`);
        session.start();
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      return {
        where: `tcp ${config.host}:${port}`,
        port,
        stop: async () => {
          const closing = new Promise<void>((resolve) => server.close(() => resolve()));
          for (const e of [...open]) {
            e.session.stop();
            await e.close();
          }
          await closing;
        },
      };
    }
  }
}
