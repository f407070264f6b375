import fs from 'node:fs';
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
        const write = directTtyWriter(port);
        resolve({
          description: `serial ${path} @ ${baudRate} baud`,
          write: (bytes) => {
            if (port.isOpen) write(bytes);
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

const RETRY_LATER = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/**
 * serialport writes through its stream and libuv's thread pool, which adds
 * milliseconds under load. Command frames are small: on POSIX write them to
 * the device at once, and fall back to serialport's queue for whatever the
 * device cannot take now (keeping byte order: nothing jumps a queued write).
 */
function directTtyWriter(port: SerialPort): (bytes: Uint8Array) => void {
  let queued = 0;
  const enqueue = (bytes: Uint8Array) => {
    queued += 1;
    port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), () => (queued -= 1));
  };
  return (bytes) => {
    const fd = (port.port as { fd?: number | null } | undefined)?.fd;
    if (process.platform === 'win32' || typeof fd !== 'number' || queued > 0) return enqueue(bytes);
    let rest = bytes;
    try {
      const written = fs.writeSync(fd, rest);
      if (written === rest.length) return;
      rest = rest.subarray(written);
    } catch (error) {
      // Not writable now, or a real failure: serialport's own path retries or reports it as a close.
      if (!RETRY_LATER.has((error as NodeJS.ErrnoException).code ?? '')) return enqueue(rest);
    }
    enqueue(rest);
  };
}

/** What Coach shows of a port; the A1 enumerates as an STM32 virtual COM port (0483:5740). */
export function describeSerialPort(port: {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}): SerialPortInfo {
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
}

/** Serial ports on this machine. */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  try {
    return (await SerialPort.list()).map(describeSerialPort);
  } catch (error) {
    // serialport asks udevadm on Linux; machines without udev (containers, minimal installs) still have sysfs.
    if (process.platform === 'linux' && /udevadm/.test((error as Error).message)) return listLinuxPortsFromSysfs();
    throw error;
  }
}

const SYSFS_TTY = '/sys/class/tty';

/** USB serial devices (ttyACM*, ttyUSB*) and their USB ids, read from sysfs. */
export function listLinuxPortsFromSysfs(sysfsTty = SYSFS_TTY): SerialPortInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(sysfsTty).filter((name) => /^tty(ACM|USB)\d+$/.test(name));
  } catch {
    return [];
  }
  const read = (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  return names.sort().map((name) => {
    // device → the USB interface; its parent holds the USB device's descriptors.
    const usbDevice = `${sysfsTty}/${name}/device/..`;
    return describeSerialPort({
      path: `/dev/${name}`,
      vendorId: read(`${usbDevice}/idVendor`),
      productId: read(`${usbDevice}/idProduct`),
      manufacturer: read(`${usbDevice}/manufacturer`),
      serialNumber: read(`${usbDevice}/serial`),
    });
  });
}
