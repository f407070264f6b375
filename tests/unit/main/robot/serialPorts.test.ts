import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  describeSerialPort,
  listLinuxPortsFromSysfs,
  listSerialPorts,
} from '../../../../src/main/robot/link/serialChannel';

describe('serial port discovery', () => {
  it("recognises the A1's USB id 0483:5740 in any letter case", () => {
    expect(
      describeSerialPort({
        path: '/dev/ttyACM0',
        vendorId: '0483',
        productId: '5740',
        manufacturer: 'STMicroelectronics',
      }),
    ).toMatchObject({ path: '/dev/ttyACM0', looksLikeA1: true, vendorId: '0483', productId: '5740' });
    expect(describeSerialPort({ path: 'COM3', vendorId: '0483', productId: '5740'.toUpperCase() }).looksLikeA1).toBe(
      true,
    );
  });

  it('does not mistake other devices for the A1', () => {
    expect(describeSerialPort({ path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001' }).looksLikeA1).toBe(false);
    expect(describeSerialPort({ path: '/dev/ttyS0' })).toEqual({
      path: '/dev/ttyS0',
      manufacturer: null,
      vendorId: null,
      productId: null,
      serialNumber: null,
      looksLikeA1: false,
    });
  });

  it('lists the real ports of this machine without failing', async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const port of ports) expect(port.path).toMatch(/\S/);
  });

  it('reads USB serial devices and their ids from sysfs where udev is missing', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-sysfs-'));
    const usb = path.join(root, 'devices/usb1/1-1');
    fs.mkdirSync(path.join(usb, '1-1:1.0'), { recursive: true });
    fs.writeFileSync(path.join(usb, 'idVendor'), '0483\n');
    fs.writeFileSync(path.join(usb, 'idProduct'), '5740\n');
    fs.writeFileSync(path.join(usb, 'manufacturer'), 'STMicroelectronics\n');
    const tty = path.join(root, 'class/tty');
    fs.mkdirSync(path.join(tty, 'ttyACM0'), { recursive: true });
    fs.symlinkSync(path.join(usb, '1-1:1.0'), path.join(tty, 'ttyACM0/device'));
    fs.mkdirSync(path.join(tty, 'ttyS0'), { recursive: true });
    expect(listLinuxPortsFromSysfs(tty)).toEqual([
      {
        path: '/dev/ttyACM0',
        manufacturer: 'STMicroelectronics',
        vendorId: '0483',
        productId: '5740',
        serialNumber: null,
        looksLikeA1: true,
      },
    ]);
    expect(listLinuxPortsFromSysfs(path.join(root, 'missing'))).toEqual([]);
  });
});
