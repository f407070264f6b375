import net from 'node:net';
import type { ByteChannel, ByteChannelOpener } from './byteChannel';

/** Wraps a connected socket as a byte channel. */
export function socketChannel(socket: net.Socket, description: string): ByteChannel {
  socket.setNoDelay(true);
  const closeListeners: ((reason: string) => void)[] = [];
  let closedReason: string | null = null;
  let lastError: string | null = null;
  socket.on('error', (error) => (lastError = error.message));
  socket.on('close', () => {
    closedReason = lastError ?? 'connection closed';
    closeListeners.forEach((listener) => listener(closedReason!));
  });
  return {
    description,
    write: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    onData: (listener) => socket.on('data', (chunk: Buffer) => listener(chunk)),
    onClose: (listener) => {
      if (closedReason !== null) listener(closedReason);
      else closeListeners.push(listener);
    },
    close: () => socket.destroy(),
  };
}

/** Connects to a serial-over-network bridge (ser2net style): the A1's byte stream over TCP. */
export function tcpChannelOpener(host: string, port: number, connectTimeoutMs = 3000): ByteChannelOpener {
  return () =>
    new Promise<ByteChannel>((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer from ${host}:${port} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socketChannel(socket, `tcp ${host}:${port}`));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${host}:${port}: ${error.message}`));
      });
    });
}
