/**
 * The demo's embedded MQTT broker (aedes, MQTT 3.1.1): the register and the `send-job`
 * command meet on it when no other broker exists. Production registers use an external one.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { KassaError } from '../core/kassa-error.ts';

export interface EmbeddedBroker {
  readonly url: string;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new KassaError('CONFIG', e.code === 'EADDRINUSE' ? `port ${port} on ${host} is taken: stop the other broker or set mqtt.broker.port` : `embedded broker: ${e.message}`, { cause: e })),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return {
    url: `mqtt://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
