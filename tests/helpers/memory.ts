/**
 * Bytes held in ArrayBuffers and external memory after full collections.
 * Backing stores are freed a little after gc(), so it collects twice with a pause.
 */
export async function settledBufferBytes(): Promise<number> {
  if (typeof global.gc !== 'function') throw new Error('run the tests with --expose-gc (see vitest.config.ts)');
  global.gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  global.gc();
  const usage = process.memoryUsage();
  return usage.arrayBuffers + usage.external;
}
