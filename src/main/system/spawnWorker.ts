import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread from its bundled file (out/main/NAME.js) or, when Coach runs from its
 * TypeScript sources (tests, benchmarks), from the source file through tsx.
 */
export function spawnWorker(appRoot: string, sourcePath: string, bundleName: string, workerData: unknown): Worker {
  if (__filename.endsWith('.ts')) {
    const source = path.join(appRoot, sourcePath);
    const tsx = require.resolve('tsx/cjs/api');
    return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, {
      eval: true,
      workerData,
    });
  }
  return new Worker(path.join(appRoot, 'out/main', `${bundleName}.js`), { workerData });
}
