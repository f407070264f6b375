import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          // The Electron shell.
          index: resolve(__dirname, 'src/main/index.ts'),
          // The `coach` CLI and headless host: the same services in plain Node.
          cli: resolve(__dirname, 'src/main/cli/main.ts'),
          // The arm runtime's own process: link, safety governor, 200 Hz control loop.
          armProcess: resolve(__dirname, 'src/main/robot/runtime/armProcess.ts'),
          // The synthetic cameras' drawing thread.
          renderWorker: resolve(__dirname, 'src/main/sim/render/renderWorker.ts'),
          // Model packages: validation, onnxruntime sessions, the flow-matching sampler.
          inferenceWorker: resolve(__dirname, 'src/main/policy/inferenceWorker.ts'),
          // Behaviour cloning on the ONNX interpreter (jax-js), off the main loop.
          trainingWorker: resolve(__dirname, 'src/main/training/trainingWorker.ts'),
          // DPO refinement on preference pairs, off the main loop.
          dpoWorker: resolve(__dirname, 'src/main/training/dpoWorker.ts'),
          // Sim evaluations of model versions: their own sessions, world and renderer.
          evaluationWorker: resolve(__dirname, 'src/main/evaluation/evaluationWorker.ts'),
          // Scripted-expert demonstrations for behaviour cloning (rendered in their own threads).
          demoWorker: resolve(__dirname, 'src/main/training/demonstrations/demoWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [vue()],
  },
});
