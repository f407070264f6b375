import { describe, expect, it } from 'vitest';
import { describeSerialPort, listSerialPorts } from '../../../../src/main/robot/link/serialChannel';

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
});
