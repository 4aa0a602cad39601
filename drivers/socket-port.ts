/**
 * Adapts a TCP socket to BytePort, for what speaks a byte stream over TCP on the register
 * (the debug console's demo transport). Writes resolve once the bytes are handed to the OS.
 */
import type { Socket } from 'node:net';
import { Listeners, type BytePort } from './port.ts';

export function socketPort(socket: Socket): BytePort {
  const data = new Listeners<[Uint8Array]>();
  const closed = new Listeners<[Error?]>();
  let failure: Error | undefined;
  socket.on('data', (chunk: Buffer) => data.emit(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  socket.on('error', (e) => void (failure = e));
  socket.on('close', () => closed.emit(failure));
  return {
    description: `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        if (socket.destroyed) return reject(new Error('the connection is closed'));
        socket.write(bytes, (e) => (e ? reject(e) : resolve()));
      }),
    onData: (l) => data.add(l),
    onClose: (l) => closed.add(l),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
      }),
  };
}
