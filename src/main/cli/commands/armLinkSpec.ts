import type { LinkConfig } from '../../../shared/arm';
import { linkConfigSchema } from '../../../shared/arm';

export const LINK_SPEC_HELP = `<link> is one of:
  sim                  the simulated A1, in-process
  sim:pty              the simulated A1 behind a socat pty pair (exercises the serial path)
  sim:tcp              the simulated A1 behind a loopback TCP socket
  serial:PATH          the A1 on a serial port, e.g. serial:/dev/ttyACM0
  tcp:HOST:PORT        a serial-over-network bridge, e.g. tcp:192.168.1.20:4000
  rosbridge:URL        the vendor ROS driver through rosbridge, e.g. rosbridge:ws://lab-pc:9090`;

/** Parses the CLI's short link notation into a validated LinkConfig. */
export function parseLinkSpec(spec: string): LinkConfig {
  const [kind, ...rest] = spec.split(':');
  const value = rest.join(':');
  let raw: unknown;
  switch (kind) {
    case 'sim':
      raw = { kind: 'sim', transport: value === '' ? 'in-process' : value };
      break;
    case 'serial':
      raw = { kind: 'serial', path: value, acceptInferredProtocol: true };
      break;
    case 'tcp': {
      const separator = value.lastIndexOf(':');
      raw = {
        kind: 'tcp',
        host: value.slice(0, separator),
        port: Number(value.slice(separator + 1)),
        acceptInferredProtocol: true,
      };
      break;
    }
    case 'rosbridge':
      raw = { kind: 'rosbridge', url: value };
      break;
    default:
      throw new Error(`unknown link "${spec}".\n${LINK_SPEC_HELP}`);
  }
  const parsed = linkConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'link'}: ${issue.message}`);
    throw new Error(`bad link "${spec}": ${problems.join('; ')}\n${LINK_SPEC_HELP}`);
  }
  return parsed.data;
}
