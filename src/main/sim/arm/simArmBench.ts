import net from 'node:net';
import type { LinkConfig } from '../../../shared/arm';
import { ByteStreamArmLink } from '../../robot/link/byteStreamArmLink';
import { createInProcessChannelPair } from '../../robot/link/inProcessChannel';
import { serialChannelOpener } from '../../robot/link/serialChannel';
import { socketChannel, tcpChannelOpener } from '../../robot/link/tcpChannel';
import type { ArmLink } from '../../robot/link/armLink';
import { SimA1Firmware } from './simA1Firmware';
import { SimulatedA1 } from './simulatedA1';
import { openPtyDeviceEnd, startSocatPtyPair, type PtyPair } from './socatPtyPair';

/** A simulated A1 on the bench: its firmware, the link Coach uses to reach it, and how to tear both down. */
export interface SimArmBench {
  readonly firmware: SimA1Firmware;
  readonly link: ArmLink;
  close(): Promise<void>;
}

type SimConfig = Extract<LinkConfig, { kind: 'sim' }>;

/**
 * Starts the simulated A1 and a link to it over the chosen transport: an
 * in-process pipe (the embedded default), a socat pty pair through the real
 * serialport code, or a loopback TCP socket.
 */
export async function startSimArmBench(config: SimConfig, arm = new SimulatedA1()): Promise<SimArmBench> {
  const firmware = new SimA1Firmware(arm, { feedbackRateHz: config.feedbackRateHz });
  const linkOptions = { kind: 'sim' as const, expectedFeedbackHz: config.feedbackRateHz };
  switch (config.transport) {
    case 'in-process': {
      const link = new ByteStreamArmLink({
        ...linkOptions,
        description: 'simulated A1 (in-process)',
        open: async () => {
          const [host, device] = createInProcessChannelPair('simulated A1');
          firmware.attach(device);
          return host;
        },
      });
      return { firmware, link, close: async () => (await link.close(), firmware.stop()) };
    }
    case 'pty': {
      const pty: PtyPair = await startSocatPtyPair();
      let device;
      try {
        device = openPtyDeviceEnd(pty.devicePath);
      } catch (error) {
        pty.close();
        throw error;
      }
      firmware.attach(device);
      const link = new ByteStreamArmLink({
        ...linkOptions,
        description: `simulated A1 via socat pty ${pty.hostPath}`,
        open: serialChannelOpener(pty.hostPath),
      });
      return {
        firmware,
        link,
        close: async () => {
          await link.close();
          firmware.stop();
          pty.close();
        },
      };
    }
    case 'tcp': {
      const server = net.createServer((socket) => firmware.attach(socketChannel(socket, 'simulated A1 firmware')));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as net.AddressInfo).port;
      const link = new ByteStreamArmLink({
        ...linkOptions,
        description: `simulated A1 via tcp 127.0.0.1:${port}`,
        open: tcpChannelOpener('127.0.0.1', port),
      });
      return {
        firmware,
        link,
        close: async () => {
          await link.close();
          firmware.stop();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    }
  }
}
