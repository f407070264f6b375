// `npm run model:test-package`: writes resources/models/coach-test/ (or --out DIR); see --help.
import { runBuildTestModel } from '../src/main/policy/testPackage/buildTestModelCli';

void runBuildTestModel(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
