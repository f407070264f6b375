import type { ExecutionProvider, OnnxRuntimeInfo } from '../../shared/system';

/** A one-node model (y = Identity(x), float[1]) used to check that a provider can create and run a session. */
async function buildIdentityModelBytes(): Promise<Uint8Array> {
  const { create, toBinary } = await import('@bufbuild/protobuf');
  const onnx = await import('onnx-buf');
  const tensorType = (name: string) =>
    create(onnx.ValueInfoProtoSchema, {
      name,
      type: {
        value: {
          case: 'tensorType',
          value: {
            elemType: onnx.TensorProto_DataType.FLOAT,
            shape: { dim: [{ value: { case: 'dimValue', value: 1n } }] },
          },
        },
      },
    });
  const model = create(onnx.ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'coach-provider-probe',
    opsetImport: [{ domain: '', version: 13n }],
    graph: {
      name: 'provider_probe',
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: [tensorType('x')],
      output: [tensorType('y')],
    },
  });
  return toBinary(onnx.ModelProtoSchema, model);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

/**
 * Finds which onnxruntime execution providers really work on this machine by
 * creating and running a one-node session on each candidate. CUDA is listed by
 * the binding on Linux x64 even when its provider library or the CUDA runtime
 * is missing; only a real session tells.
 */
export async function probeOnnxRuntime(): Promise<OnnxRuntimeInfo> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    return {
      version: null,
      usableProviders: [],
      preferredProvider: null,
      unavailable: [],
      loadError: `onnxruntime-node failed to load: ${firstLine(error)}. Reinstall it with "npm ci".`,
    };
  }
  const version = ort.env.versions.node ?? ort.env.versions.common;
  // A missing provider is reported in the result; onnxruntime's own log would only repeat it in red.
  const logLevel = ort.env.logLevel;
  ort.env.logLevel = 'fatal';
  const modelBytes = await buildIdentityModelBytes();
  const compiledIn = new Set(ort.listSupportedBackends().map((backend) => backend.name));
  const candidates: ExecutionProvider[] = [];
  if (compiledIn.has('cuda')) candidates.push('cuda');
  candidates.push('cpu');

  const usable: ExecutionProvider[] = [];
  const unavailable: OnnxRuntimeInfo['unavailable'] = [];
  for (const provider of candidates) {
    try {
      const session = await ort.InferenceSession.create(modelBytes, {
        executionProviders: [provider],
        logSeverityLevel: 4,
      });
      const output = await session.run({ x: new ort.Tensor('float32', new Float32Array([1.5]), [1]) });
      await session.release();
      if ((output.y?.data as Float32Array | undefined)?.[0] !== 1.5)
        throw new Error('probe session returned a wrong value');
      usable.push(provider);
    } catch (error) {
      const reason =
        provider === 'cuda'
          ? `${firstLine(error)} — install the CUDA provider with "ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node" (see README)`
          : firstLine(error);
      unavailable.push({ provider, reason });
    }
  }
  ort.env.logLevel = logLevel;
  return { version, usableProviders: usable, preferredProvider: usable[0] ?? null, unavailable, loadError: null };
}
