import * as ort from 'onnxruntime-node';

/**
 * A context tensor from the prefix (batch 1) repeated along axis 0 to the expert's batch, so K
 * candidate chunks share one observation's context. Tensors already of batch k pass through.
 */
export function repeatBatch(tensor: ort.Tensor, k: number): ort.Tensor {
  const batch = tensor.dims[0];
  if (batch === k) return tensor;
  if (batch !== 1) throw new Error(`a context tensor has batch ${batch}; the prefix must produce batch 1`);
  if (k === 1) return tensor;
  const data = tensor.data as ort.Tensor.DataTypeMap[ort.Tensor.Type];
  if (typeof data === 'string' || Array.isArray(data))
    throw new Error(`context tensors of type ${tensor.type} cannot be repeated`);
  const typed = data as Float32Array;
  const Constructor = typed.constructor as new (length: number) => Float32Array;
  const repeated = new Constructor(typed.length * k);
  for (let i = 0; i < k; i += 1) repeated.set(typed, i * typed.length);
  return new ort.Tensor(tensor.type as 'float32', repeated, [k, ...tensor.dims.slice(1)]);
}
