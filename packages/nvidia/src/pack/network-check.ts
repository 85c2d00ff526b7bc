import * as ort from 'onnxruntime-node';
import { InferenceError } from '@a2f/inference';
import { checkSession, type SessionInfo, type TensorMetadata } from '@a2f/inference';
import { nvidiaTensors } from './model-pack.js';
import type { NvidiaPack } from './types.js';

/**
 * Opens the pack's network.onnx in a short-lived ORT session on this thread and checks its I/O
 * against what network_info.json implies (names input/emotion/result, free batch axis, fixed
 * dims) with the engine's `checkSession`. For `a2f models verify/inspect` and tests; the engine
 * does the same check inside its workers when it loads the pack.
 */
export async function checkNvidiaNetwork(pack: Pick<NvidiaPack, 'files' | 'networkInfo'>): Promise<SessionInfo> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(pack.files.network);
  } catch (err) {
    throw new InferenceError(
      'NETWORK_LOAD',
      pack.files.network,
      `ONNX Runtime cannot load it (${(err as Error).message})`,
      'Download network.onnx again; the file is damaged or not an ONNX model.',
    );
  }
  try {
    const meta = (list: readonly ort.InferenceSession.ValueMetadata[]): TensorMetadata[] =>
      list.map((m) => ({ name: m.name, type: m.isTensor ? String(m.type) : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));
    const info: SessionInfo = {
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames],
      inputMetadata: meta(session.inputMetadata),
      outputMetadata: meta(session.outputMetadata),
    };
    const { inputs, outputs } = nvidiaTensors(pack.networkInfo);
    checkSession(
      {
        id: pack.networkInfo.id.actor,
        manifestPath: pack.files.networkInfo,
        networkPath: pack.files.network,
        audio: { ...pack.networkInfo.audio, inputStrength: 1 },
        audioInput: 'input',
        inputs,
        outputs,
      },
      info,
    );
    return info;
  } finally {
    await session.release();
  }
}
