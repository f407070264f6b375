import { describe, expect, it } from 'vitest';
import { int, ints, OnnxGraphBuilder } from '../../../../../src/main/policy/testPackage/onnxBuilder';
import { compileGraph } from '../../../../../src/main/training/onnx/graphInterpreter';
import { parseOnnxModel } from '../../../../../src/main/training/onnx/onnxModel';
import { UnsupportedOperatorError } from '../../../../../src/main/training/onnx/operatorTypes';
import { SUPPORTED_OPERATORS } from '../../../../../src/main/training/onnx/operators/index';

async function refusal(build: (g: OnnxGraphBuilder, x: string) => string): Promise<UnsupportedOperatorError> {
  const g = new OnnxGraphBuilder('refused', 1);
  const x = g.input('x', 'float32', [1, 3, 8]);
  g.output(build(g, x), 'y', 'float32', [1, 3, 8]);
  const model = parseOnnxModel(await g.toBytes());
  try {
    compileGraph(model);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedOperatorError);
    return error as UnsupportedOperatorError;
  }
  throw new Error('compileGraph accepted the model');
}

describe('unsupported operators are refused before anything runs', () => {
  it('names an LSTM by op type, node name and index', async () => {
    const error = await refusal((g, x) => {
      const relu = g.op('Relu', [x]);
      return g.op('LSTM', [relu, g.weight('W', [1, 32, 8], 0.1), g.weight('R', [1, 32, 8], 0.1)], {
        hidden_size: int(8),
      });
    });
    expect(error.opType).toBe('LSTM');
    expect(error.nodeName).toBe('lstm_2');
    expect(error.nodeIndex).toBe(1);
    expect(error.message).toContain('LSTM');
    expect(error.message).toContain('"lstm_2" (#1)');
  });

  it('refuses forms of supported ops it does not handle: Slice step 2, Conv group 2, reflect Pad', async () => {
    const slice = await refusal((g, x) =>
      g.op('Slice', [x, g.constant([0], [1]), g.constant([8], [1]), g.constant([2], [1]), g.constant([2], [1])]),
    );
    expect(slice.message).toMatch(/Slice.*steps \[2\]/);
    const conv = await refusal((g, x) =>
      g.op('Conv', [x, g.weight('w', [4, 1, 3], 0.1)], { group: int(3), kernel_shape: ints([3]) }),
    );
    expect(conv.message).toMatch(/Conv.*group 3|Conv.*1-D/);
    const pad = await refusal((g, x) =>
      g.op('Pad', [x, g.constant([0, 0, 1, 0, 0, 1], [6])], {
        mode: { type: 3, s: new TextEncoder().encode('reflect') },
      }),
    );
    expect(pad.message).toMatch(/Pad.*reflect/);
  });

  it('lists the supported operators, including every op the test packages emit', () => {
    const packageOps = [
      'Add',
      'AveragePool',
      'Cast',
      'Concat',
      'Constant',
      'Conv',
      'Cos',
      'Div',
      'Flatten',
      'Gather',
      'Gelu',
    ];
    const more = [
      'Identity',
      'LayerNormalization',
      'MatMul',
      'Max',
      'Mul',
      'Pad',
      'ReduceSum',
      'Reshape',
      'Sin',
      'Softmax',
    ];
    for (const op of [...packageOps, ...more, 'Tanh', 'Transpose', 'Unsqueeze', 'Where', 'Gemm', 'Slice', 'Shape'])
      expect(SUPPORTED_OPERATORS).toContain(op);
    expect(SUPPORTED_OPERATORS).not.toContain('LSTM');
  });
});
