// The ONNX training interpreter: parse a model, run it on jax-js (jit- and grad-friendly), write
// trained weights back. See docs/training-interpreter.md.
export { compileGraph, type CompileGraphOptions, type CompiledGraph, type Params } from './graphInterpreter';
export {
  parseOnnxModel,
  decodeTensor,
  ONNX_TYPE,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnxModel';
export { writeInitializers } from './onnxWriteBack';
export { UnsupportedOperatorError } from './operatorTypes';
export { SUPPORTED_OPERATORS } from './operators/index';
export { arrayFromData, HostTensor } from './values';
export { initializersOf, readWeights } from './weights';
