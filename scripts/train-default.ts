// `npm run train:default`: builds resources/models/coach-tiny/ from scratch (demonstrations → behaviour
// cloning → held-out evaluation); see --help and docs/default-policy.md.
import path from 'node:path';
import { runTrainDefault } from '../src/main/training/defaultModel/trainDefaultCli';

void runTrainDefault(process.argv.slice(2), path.resolve(__dirname, '..')).then((code) => {
  process.exitCode = code;
});
