import { parseArgs } from 'node:util';
import { MOTOR_NAMES } from '../../../../shared/robot/a1Spec';
import { describeMotorFault } from '../../../../shared/robot/wire';
import { openArmLink } from '../../../robot/armLinkFactory';
import type { ArmFeedback } from '../../../robot/link/armLink';
import { parseLinkSpec } from '../armLinkSpec';

/**
 * `coach arm monitor <link>`: prints decoded live feedback. It only listens:
 * the link sends nothing to the arm, so monitoring never moves it.
 */
export async function runMonitorCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: { type: 'string' },
      rate: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1)
    throw new Error('coach arm monitor needs one <link>, e.g. "sim" or "serial:/dev/ttyACM0"');
  const config = parseLinkSpec(positionals[0]!);
  const printHz = Number(values.rate);
  if (!(printHz > 0 && printHz <= 50)) throw new Error('--rate must be between 0 and 50 lines per second');
  const durationS = values.duration === undefined ? Infinity : Number(values.duration);
  if (!(durationS > 0)) throw new Error('--duration must be a positive number of seconds');
  if (config.kind === 'serial' || config.kind === 'tcp') {
    out('note: direct links use the A1 wire protocol as inferred from the vendor driver, not a vendor document');
  }

  const opened = await openArmLink(config);
  let latest: ArmFeedback | null = null;
  opened.link.onFeedback((feedback) => (latest = feedback));
  opened.link.onState((state) => out(`link ${state}`));
  opened.link.start();

  const printer = setInterval(() => {
    const stats = opened.link.stats();
    const feedback: ArmFeedback | null = latest;
    if (values.json) {
      out(JSON.stringify({ link: stats, motors: feedback?.motors ?? null }));
      return;
    }
    if (!feedback) {
      out(`${stats.state}: no feedback yet (${stats.lastError ?? 'waiting'})`);
      return;
    }
    const joints = feedback.motors.map((m) => `${MOTOR_NAMES[m.motorId - 1]} ${m.posRad.toFixed(3)}`).join('  ');
    const faults = feedback.motors
      .map((m) => describeMotorFault(m.motorId, m.faultMask))
      .filter((fault) => fault !== null)
      .map((fault) => `${fault.motor}: ${fault.names.join(', ')}`);
    out(
      `${stats.state} ${stats.feedbackRateHz.toFixed(0)} Hz crc-errors ${stats.crcErrors} | ${joints} | ` +
        (faults.length ? `FAULTS ${faults.join('; ')}` : 'no faults'),
    );
  }, 1000 / printHz);

  await new Promise<void>((resolve) => {
    const finish = () => resolve();
    if (Number.isFinite(durationS)) setTimeout(finish, durationS * 1000);
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
  });
  clearInterval(printer);
  const feedbackSeen = latest !== null;
  await opened.close();
  return feedbackSeen ? 0 : 1;
}
