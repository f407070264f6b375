// Entry point of the arm runtime's own process (see ArmService for why it is a process).
import { CoachError } from '../../../shared/contract/errors';
import { loadArmChain } from '../urdf/loadUrdf';
import { ArmRuntime } from './armRuntime';
import { handleArmRequest } from './armRequestHandler';
import type { ArmProcessInbound, ArmProcessOutbound } from './armRuntimeProtocol';

if (!process.send) throw new Error('armProcess must be started by ArmService (it needs an IPC channel)');

let runtime: ArmRuntime | null = null;
const post = (message: ArmProcessOutbound) => {
  if (process.connected) process.send!(message);
};

process.on('message', (message: ArmProcessInbound) => {
  if (message.type === 'init') {
    runtime = new ArmRuntime({ ...message.settings, chain: loadArmChain(message.settings.appRoot) });
    runtime.stateTopic.subscribe((state) => post({ type: 'state', state }));
    runtime.worldTopic.subscribe((snapshot) => post({ type: 'world', snapshot }));
    runtime.samplesTopic.subscribe((samples) => post({ type: 'samples', samples }));
    post({ type: 'ready' });
    return;
  }
  const active = runtime;
  if (!active) {
    post({ type: 'reply', id: message.id, ok: false, error: { code: 'arm_runtime_down', message: 'not initialised' } });
    return;
  }
  handleArmRequest(active, message.request).then(
    (value) => post({ type: 'reply', id: message.id, ok: true, value }),
    (error: unknown) => post({ type: 'reply', id: message.id, ok: false, error: CoachError.toShape(error) }),
  );
});

// The parent is gone (crashed or closed): stop commanding the arm rather than run on unsupervised.
process.on('disconnect', () => {
  void (runtime?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
