/** A bidirectional byte stream to the arm's firmware: a serial port, a TCP socket or an in-process pipe. */
export interface ByteChannel {
  readonly description: string;
  write(bytes: Uint8Array): void;
  onData(listener: (bytes: Uint8Array) => void): void;
  /** Called once when the channel closes, with the reason if it failed. */
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

/** Opens a fresh channel; called again for every reconnect. */
export type ByteChannelOpener = () => Promise<ByteChannel>;
