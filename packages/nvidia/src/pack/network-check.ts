import * as ort from 'onnxruntime-node';
import { InferenceError } from '@a2f/inference';
import { checkSession, type SessionInfo, type TensorMetadata } from '@a2f/inference';
import { nvidiaTensors } from './model-pack.js';
import type { NvidiaPack } from './types.js';

/**
 * Opens a network.onnx in a short-lived ORT session on this thread and hands `check` what it declares
 * (names, types, shapes); the session is released whatever `check` does. Shared by the A2F and A2E
 * checks of `a2f models verify/inspect`.
 */
export async function withNetworkInfo(network: string, check: (info: SessionInfo) => void | Promise<void>): Promise<SessionInfo> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(network);
  } catch (err) {
    throw new InferenceError(
      'NETWORK_LOAD',
      network,
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
    await check(info);
    return info;
  } finally {
    await session.release();
  }
}

/**
 * Checks the pack's network.onnx I/O against what network_info.json implies (names input/emotion/result,
 * free batch axis, fixed dims) with the engine's `checkSession`. For `a2f models verify/inspect` and tests;
 * the engine does the same check inside its workers when it loads the pack.
 */
export function checkNvidiaNetwork(pack: Pick<NvidiaPack, 'files' | 'networkInfo'>): Promise<SessionInfo> {
  return withNetworkInfo(pack.files.network, (info) => {
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
  });
}
