/**
 * The demo's embedded MQTT broker (aedes, MQTT 3.1.1): the register and the `send-job`
 * command meet on it when no other broker exists. Production registers use an external one.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { listenOn } from '../core/listen.ts';

export interface EmbeddedBroker {
  readonly url: string;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  // createBroker() starts aedes' heartbeat and will-sweep intervals (two ref'd timers) before
  // anything listens: when the port turns out to be taken they must be closed here, or they keep
  // a register that failed to start alive (its caller never got a broker to close).
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  try {
    await listenOn(server, { port, host, what: 'embedded MQTT broker', whenTaken: 'another register or broker runs here; stop it or set mqtt.broker.port' });
  } catch (e) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw e;
  }
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
