import type { ByteChannel } from './byteChannel';

/**
 * Two connected in-process byte channels, as if joined by a cable. Bytes are
 * delivered asynchronously (like real I/O) and copied, so neither side can
 * change what the other received.
 */
export function createInProcessChannelPair(description = 'in-process'): [ByteChannel, ByteChannel] {
  const make = (name: string) => {
    const dataListeners: ((bytes: Uint8Array) => void)[] = [];
    const closeListeners: ((reason: string) => void)[] = [];
    return { name, dataListeners, closeListeners, closed: false };
  };
  const ends = [make(`${description} (host end)`), make(`${description} (device end)`)] as const;

  const closeBoth = (reason: string) => {
    for (const end of ends) {
      if (end.closed) continue;
      end.closed = true;
      queueMicrotask(() => end.closeListeners.forEach((listener) => listener(reason)));
    }
  };

  const channel = (self: (typeof ends)[number], peer: (typeof ends)[number]): ByteChannel => ({
    description: self.name,
    write(bytes) {
      if (self.closed) return;
      const copy = bytes.slice();
      setImmediate(() => {
        if (!peer.closed) peer.dataListeners.forEach((listener) => listener(copy));
      });
    },
    onData: (listener) => self.dataListeners.push(listener),
    onClose: (listener) => self.closeListeners.push(listener),
    close: () => closeBoth('closed'),
  });
  return [channel(ends[0], ends[1]), channel(ends[1], ends[0])];
}
