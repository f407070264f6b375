import { listSerialPorts } from '../../../robot/link/serialChannel';
import { LINK_SPEC_HELP } from '../armLinkSpec';
import { runDecodeCommand } from './decodeCommand';
import { runFrameCommand } from './frameCommand';
import { runMonitorCommand } from './monitorCommand';

export const ARM_USAGE = `Usage: coach arm <command>

  ports                              list serial ports; the A1 shows as USB 0483:5740
  monitor <link> [--duration S] [--rate HZ] [--json]
                                     print decoded live feedback (listens only, never moves the arm)
  frame joint --id N --pos RAD [--vel RAD_S] [--tau NM] --kp KP --kd KD
                                     print a joint command frame's bytes (clamped to the safe ranges)
  frame function <enable|disable|clear-error>
                                     print a function frame's bytes
  decode <hex>                       decode frames from hex bytes

${LINK_SPEC_HELP}

The A1 wire protocol is inferred from the vendor's driver, not documented by the vendor.
`;

async function printPorts(out: (line: string) => void): Promise<number> {
  const ports = await listSerialPorts();
  if (ports.length === 0) out('no serial ports found (is the A1 plugged in and powered?)');
  for (const port of ports) {
    const usb = port.vendorId ? ` usb ${port.vendorId}:${port.productId}` : '';
    out(
      `${port.path}${usb}${port.manufacturer ? ` ${port.manufacturer}` : ''}${port.looksLikeA1 ? '  <- Galaxea A1' : ''}`,
    );
  }
  return 0;
}

/** `coach arm …`: technician's tools for the wire protocol and the link. */
export async function runArmCommand(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'ports':
        return await printPorts(out);
      case 'monitor':
        return await runMonitorCommand(rest, out);
      case 'frame':
        return runFrameCommand(rest, out);
      case 'decode':
        return runDecodeCommand(rest, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(ARM_USAGE);
        return sub === undefined ? 2 : 0;
      default:
        process.stderr.write(`coach arm: unknown command "${sub}"\n\n${ARM_USAGE}`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`coach arm ${sub}: ${(error as Error).message}\n`);
    return 1;
  }
}
