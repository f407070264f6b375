import path from 'node:path';
import { createCoach } from '../../coach';
import { findAppPackage } from '../../appPaths';
import { isLoopbackAddress, startHeadlessHost } from '../../host/headlessHost';
import type { CliOptions } from '../cliOptions';

export async function runServe(options: CliOptions): Promise<number> {
  const app = findAppPackage(__dirname);
  const coach = createCoach({ dataDir: options.dataDir, host: 'headless' });
  let host;
  try {
    host = await startHeadlessHost({
      server: coach.server,
      rendererDir: path.join(app.root, 'out', 'renderer'),
      host: options.host,
      port: options.port,
      allowRemote: options.allowRemote,
    });
  } catch (error) {
    await coach.close();
    throw error;
  }
  // Start-up problems (a corrupt settings file, an arm link that would not open) are known once it is ready.
  await coach.ready;
  for (const warning of coach.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (!isLoopbackAddress(options.host)) {
    process.stderr.write(
      `WARNING: Coach is listening on ${options.host}, not only on this machine. Anyone who can reach it and has the token can move the arm.\n`,
    );
  }
  process.stdout.write(`Coach console: ${host.url}\n`);
  process.stdout.write(`data folder:   ${coach.dataDir}\n`);
  process.stdout.write('Open the URL in Chromium or Chrome. Press Ctrl+C to stop.\n');

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('stopping Coach…\n');
  await host.close();
  await coach.close();
  return 0;
}
