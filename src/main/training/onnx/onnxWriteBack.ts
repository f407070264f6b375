import { fromBinary, toBinary } from '@bufbuild/protobuf';
import * as onnx from 'onnx-buf';
import { ONNX_TYPE } from './onnxModel';

/**
 * The same model with the named float32 initializers replaced: each one's raw_data is overwritten and
 * its other data fields (float_data, external data) cleared, so onnxruntime loads the new values.
 * Throws when a name is not a float32 initializer or a value count does not match its dims.
 */
export function writeInitializers(originalBytes: Uint8Array, newWeights: Record<string, Float32Array>): Uint8Array {
  const model = fromBinary(onnx.ModelProtoSchema, originalBytes);
  const initializers = new Map((model.graph?.initializer ?? []).map((tensor) => [tensor.name, tensor]));
  for (const [name, values] of Object.entries(newWeights)) {
    const tensor = initializers.get(name);
    if (!tensor) throw new Error(`the model has no initializer "${name}"`);
    if (tensor.dataType !== ONNX_TYPE.float32) throw new Error(`initializer "${name}" is not float32`);
    const count = tensor.dims.reduce((a, b) => a * Number(b), 1);
    if (values.length !== count) throw new Error(`initializer "${name}" needs ${count} values, got ${values.length}`);
    const raw = new Uint8Array(count * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < count; i += 1) view.setFloat32(i * 4, values[i]!, true);
    tensor.rawData = raw;
    tensor.floatData = [];
    tensor.externalData = [];
    tensor.dataLocation = onnx.TensorProto_DataLocation.DEFAULT;
  }
  return toBinary(onnx.ModelProtoSchema, model);
}
