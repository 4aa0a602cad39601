/**
 * The one "listen on a configured port" of the register's servers (embedded broker, local API,
 * debug console): a port that is taken becomes a KassaError that names the config key to
 * change, so a register that cannot start says why in one line instead of a bare EADDRINUSE.
 */
import type { Server } from 'node:net';
import { KassaError } from './kassa-error.ts';

export interface ListenAt {
  readonly port: number;
  readonly host: string;
  /** Who listens, for the message: "localApi", "embedded broker". */
  readonly what: string;
  /** What to do when the port is taken: "set localApi.port, or localApi.enabled false". */
  readonly whenTaken: string;
}

export function listenOn(server: Server, at: ListenAt): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? `port ${at.port} on ${at.host} is taken: ${at.whenTaken}` : e.message;
      reject(new KassaError('CONFIG', `${at.what}: cannot listen: ${why}`, { cause: e }));
    });
    server.listen(at.port, at.host, () => resolve());
  });
}
