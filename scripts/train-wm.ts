// `npm run train:wm`: builds resources/world-models/coach-wm/ (transitions → frozen encoder → predictor);
// see --help and docs/world-model.md.
import path from 'node:path';
import { runTrainWorldModel } from '../src/main/training/worldModel/trainWorldModelCli';

void runTrainWorldModel(process.argv.slice(2), path.resolve(__dirname, '..')).then((code) => {
  process.exitCode = code;
});
