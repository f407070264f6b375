import { createCoach } from '../../coach';
import { formatSystemInfo } from '../formatSystemInfo';
import type { CliOptions } from '../cliOptions';
import type { SystemInfo } from '../../../shared/system';
import { CoachError } from '../../../shared/contract/errors';

export async function runInfo(options: CliOptions): Promise<number> {
  const coach = createCoach({ dataDir: options.dataDir, host: 'cli', arm: { autoConnect: false } });
  try {
    const outcome = await coach.server.call('system.info', {});
    if (!outcome.ok) throw CoachError.fromShape(outcome.error);
    const info = outcome.value as SystemInfo;
    process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : `${formatSystemInfo(info)}\n`);
    return 0;
  } finally {
    await coach.close();
  }
}
