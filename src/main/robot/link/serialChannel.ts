import { SerialPort } from 'serialport';
import type { SerialPortInfo } from '../../../shared/arm';
import { DEFAULT_BAUD_RATE, USB_PRODUCT_ID, USB_VENDOR_ID } from '../../../shared/robot/a1Spec';
import type { ByteChannel, ByteChannelOpener } from './byteChannel';

/** Opens a serial port (the A1's USB CDC-ACM device, or a pty) as a byte channel. */
export function serialChannelOpener(path: string, baudRate = DEFAULT_BAUD_RATE): ByteChannelOpener {
  return () =>
    new Promise<ByteChannel>((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((error) => {
        if (error) {
          reject(new Error(`cannot open ${path}: ${error.message}`));
          return;
        }
        const closeListeners: ((reason: string) => void)[] = [];
        let closedReason: string | null = null;
        const finish = (reason: string) => {
          if (closedReason !== null) return;
          closedReason = reason;
          closeListeners.forEach((listener) => listener(reason));
        };
        port.on('close', (closeError: Error | null) => finish(closeError ? closeError.message : 'port closed'));
        port.on('error', (portError: Error) => finish(portError.message));
        resolve({
          description: `serial ${path} @ ${baudRate} baud`,
          write: (bytes) => {
            if (port.isOpen) port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          },
          onData: (listener) => port.on('data', (chunk: Buffer) => listener(chunk)),
          onClose: (listener) => {
            if (closedReason !== null) listener(closedReason);
            else closeListeners.push(listener);
          },
          close: () => {
            if (port.isOpen) port.close();
            finish('closed by Coach');
          },
        });
      });
    });
}

/** Serial ports on this machine; the A1 enumerates as an STM32 virtual COM port (0483:5740). */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  const ports = await SerialPort.list();
  return ports.map((port) => {
    const vendorId = port.vendorId?.toLowerCase() ?? null;
    const productId = port.productId?.toLowerCase() ?? null;
    return {
      path: port.path,
      manufacturer: port.manufacturer ?? null,
      vendorId,
      productId,
      serialNumber: port.serialNumber ?? null,
      looksLikeA1: vendorId === USB_VENDOR_ID && productId === USB_PRODUCT_ID,
    };
  });
}
