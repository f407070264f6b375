import { runCli } from './runCli';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
