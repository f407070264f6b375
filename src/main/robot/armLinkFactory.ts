import type { LinkConfig } from '../../shared/arm';
import { startSimArmBench, type SimArmBench } from '../sim/arm/simArmBench';
import { SimulatedA1 } from '../sim/arm/simulatedA1';
import type { ArmLink } from './link/armLink';
import { ByteStreamArmLink } from './link/byteStreamArmLink';
import { serialChannelOpener } from './link/serialChannel';
import { tcpChannelOpener } from './link/tcpChannel';
import { RosbridgeArmLink } from './link/rosbridgeArmLink';

export interface OpenedArmLink {
  link: ArmLink;
  /** The simulated bench behind a sim link, for fault injection and tests. */
  sim: SimArmBench | null;
  close(): Promise<void>;
}

/** Builds the link a config asks for. The sim starts at `simStartRad` when given. */
export async function openArmLink(config: LinkConfig, simStartRad?: readonly number[]): Promise<OpenedArmLink> {
  switch (config.kind) {
    case 'sim': {
      const sim = await startSimArmBench(config, new SimulatedA1(simStartRad));
      return { link: sim.link, sim, close: () => sim.close() };
    }
    case 'serial': {
      const link = new ByteStreamArmLink({
        kind: 'serial',
        description: `serial ${config.path}`,
        open: serialChannelOpener(config.path, config.baudRate),
      });
      return { link, sim: null, close: () => link.close() };
    }
    case 'tcp': {
      const link = new ByteStreamArmLink({
        kind: 'tcp',
        description: `tcp ${config.host}:${config.port}`,
        open: tcpChannelOpener(config.host, config.port),
      });
      return { link, sim: null, close: () => link.close() };
    }
    case 'rosbridge': {
      const link = new RosbridgeArmLink({ url: config.url });
      return { link, sim: null, close: () => link.close() };
    }
  }
}
