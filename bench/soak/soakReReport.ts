/**
 * Prints the summary and verdicts of a soak run again from its saved time series (the --out JSON of
 * soakBench.ts), with this checkout's report code: `npx tsx bench/soak/soakReReport.ts [bench/soak/last-soak.json]`.
 */
import fs from 'node:fs';
import type { ControlTickWindow } from '../../src/shared/arm';
import type { AttemptRecord } from './attemptDriver';
import type { SoakSample } from './soakSample';
import { summarize, summaryBlock } from './soakReport';

const file = process.argv[2] ?? 'bench/soak/last-soak.json';
if (!fs.existsSync(file)) {
  console.error(`${file} does not exist: run npm run bench:soak first, or name the JSON it wrote (--out)`);
  process.exit(1);
}
const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as {
  samples: SoakSample[];
  tickWindows: ControlTickWindow[];
  attempts: AttemptRecord[];
};
if (!saved.samples?.length) {
  console.error(`${file} holds no samples: it is not a soak time series, or the run ended before its first sample`);
  process.exit(1);
}
console.log(summaryBlock(summarize(saved.samples, saved.tickWindows, saved.attempts), saved.tickWindows));
