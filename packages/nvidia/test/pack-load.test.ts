import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPLICIT_EMOTIONS, MARK_CONFIG, SKIN_POSES, TONGUE_POSES } from '../../../models/nvidia/make-mini-pack.mjs';
import { GraphBuilder } from '../../../models/lib/onnx.mjs';
import { createEmotionTrack } from '@a2f/inference';
import { A2FPostprocessor, checkNvidiaNetwork, loadNvidiaPack, readNpz, toModelPack, toRigData } from '../src/index.js';
import { rejection, removeTempDirs } from '@a2f/test-utils';
import { packCopy, rewriteNpz } from './pack-helpers.js';

afterAll(removeTempDirs);

const failure = rejection;

/** An ONNX file with chosen tensor names/dims, to stand in for a wrong network. */
function contractOnnx(
  file: string,
  { audio = 'input', emotionDim, resultDim, output = 'result' }: { audio?: string; emotionDim: number; resultDim: number; output?: string },
) {
  const g = new GraphBuilder('wrong');
  g.input(audio, ['batch_size', 1, 8320]);
  g.input('emotion', ['batch_size', 1, emotionDim]);
  g.output(output, ['batch_size', 1, resultDim]);
  const e = g.node('Reshape', ['emotion', g.ints('s', [-1, emotionDim])]);
  const a = g.node('ReduceMean', [g.node('Reshape', [audio, g.ints('s', [-1, 8320])])], 1, { axes: [1], keepdims: 1 });
  const y = g.node('Add', [
    g.node('MatMul', [e, g.const('w', [emotionDim, resultDim], new Float32Array(emotionDim * resultDim).fill(0.1))]),
    a,
  ]);
  g.node('Reshape', [y, g.ints('s', [-1, 1, resultDim])], output);
  writeFileSync(file, g.toBytes({ opset: 14 }));
}

describe('loadNvidiaPack on generated packs', () => {
  it('loads the mark mini pack with every size taken from network_info.json', async () => {
    const made = packCopy('mark');
    const pack = await loadNvidiaPack(made.dir);
    const s = made.sizes;
    const info = pack.networkInfo;
    expect(info.id).toEqual({ type: 'regression', actor: 'mark', version: '2.3', output: 'geometry' });
    expect(info).toMatchObject({
      numShapesSkin: s.skinShapes,
      numShapesTongue: s.tongueShapes,
      numVertsSkin: s.skinVerts,
      numVertsTongue: s.tongueVerts,
    });
    expect(info.emotionLength).toBe(s.emotionLen);
    expect(info.resultLength).toBe(s.resultLen);
    expect(info.layout.eyes.offset + info.layout.eyes.length).toBe(s.resultLen);
    expect(info.explicitEmotions).toEqual(EXPLICIT_EMOTIONS);
    expect(pack.files.network).toBe(path.join(made.dir, 'network.onnx'));
    expect(pack.files.networkDeclared).toBe(path.join(made.dir, 'network.trt'));
    expect(pack.notes.some((n) => /network\.trt.*loading network\.onnx/.test(n))).toBe(true);
    expect(pack.params.input_strength).toBe(MARK_CONFIG.input_strength);
    expect(pack.params.source_shot).toBe(MARK_CONFIG.source_shot);

    // Cross-check arrays against an independent read of the same files.
    const data = await readNpz(path.join(made.dir, 'model_data.npz'));
    expect(pack.modelData.shapesMatrixSkin).toEqual(data.get('shapes_matrix_skin')!.data);
    expect(pack.modelData.shapesMatrixSkin.length).toBe(s.skinShapes * s.skinVerts * 3);
    expect(pack.modelData.neutralJaw.length).toBe(info.resultJawSize);
    expect(pack.modelData.saccadeFrames).toBe(5000);
    const emo = await readNpz(path.join(made.dir, 'implicit_emo_db.npz'));
    const shot = (emo.get('emo_spec_names')!.data as string[]).indexOf(String(MARK_CONFIG.source_shot));
    const row = (emo.get('emo_spec_start')!.data as Int32Array)[shot] + Number(MARK_CONFIG.source_frame);
    expect(Array.from(pack.implicitEmotion)).toEqual(Array.from((emo.get('emo_db')!.data as Float32Array).slice(row * 16, row * 16 + 16)));

    expect(pack.skin.poseNames).toEqual(SKIN_POSES);
    expect(pack.skin.deltas).toHaveLength(SKIN_POSES.length);
    expect(pack.skin.neutral.length).toBe(s.skinVerts * 3);
    expect(pack.skin.frontalMask!.length).toBeGreaterThan(0);
    expect(pack.skin.rigVersion).toBe('1.0');
    expect(pack.skin.config).toMatchObject({ numPoses: 52, strengthL1regularization: 0.5, templateBBSize: 53.4505028 });
    expect(pack.tongue.poseNames).toEqual(TONGUE_POSES);
    expect(pack.tongue.frontalMask).toBeUndefined();
    expect(pack.tongue.config.bsWeightMultipliers[0]).toBe(2);
    expect(pack.sha256).toBeUndefined();
  });

  it('loads the claire variant (fewer skin shapes) with no code change, also via its model.json path', async () => {
    const made = packCopy('claire');
    const pack = await loadNvidiaPack(path.join(made.dir, 'model.json'), { sha256: true });
    expect(pack.networkInfo.id.actor).toBe('claire');
    expect(pack.networkInfo.numShapesSkin).toBe(made.sizes.skinShapes);
    expect(pack.networkInfo.resultLength).toBe(made.sizes.resultLen);
    expect(pack.skin.frontalMask).toBeDefined();
    expect(pack.skin.rigVersion).toBeUndefined();
    expect(pack.sha256!['model_data.npz']).toBe(made.files['model_data.npz'].sha256);
    expect(pack.sha256!['network.onnx']).toBe(made.files['network.onnx'].sha256);
  });

  it("maps to the engine's ModelPack and the network passes the ORT contract check", async () => {
    for (const variant of ['mark', 'claire'] as const) {
      const made = packCopy(variant);
      const pack = await loadNvidiaPack(made.dir);
      const info = await checkNvidiaNetwork(pack);
      expect(info.inputNames.slice().sort()).toEqual(['emotion', 'input']);
      expect(info.outputMetadata[0].shape).toEqual(['batch_size', 1, made.sizes.resultLen]);
      const mp = await toModelPack(pack);
      expect(mp).toMatchObject({
        id: `nvidia-a2f-${made.sizes.actor}-v${made.sizes.version}`,
        audio: { sampleRate: 16000, bufferLength: 8320, bufferOffset: 4160, inputStrength: 1.3 },
        audioInput: 'input',
        networkPath: pack.files.network,
        networkSha256: made.files['network.onnx'].sha256,
        postprocess: { kind: 'a2f-v2.3' },
      });
      expect(mp.inputs.map((t) => [t.name, t.shape])).toEqual([
        ['input', ['batch_size', 1, 8320]],
        ['emotion', ['batch_size', 1, made.sizes.emotionLen]],
      ]);
      expect(mp.outputs.map((t) => [t.name, t.shape])).toEqual([['result', ['batch_size', 1, made.sizes.resultLen]]]);
      expect((mp.postprocess.config as { pack: unknown }).pack).toBe(pack);
    }
  });

  it('the generated network responds to audio and to emotion, batched', async () => {
    const made = packCopy('mark');
    const pack = await loadNvidiaPack(made.dir);
    const session = await ort.InferenceSession.create(pack.files.network);
    const L = pack.networkInfo.audio.bufferLength,
      E = pack.networkInfo.emotionLength,
      R = pack.networkInfo.resultLength;
    const audio = new Float32Array(3 * L);
    for (let i = 0; i < L; i++) audio[L + i] = 0.2 * Math.sin((2 * Math.PI * 440 * i) / 16000);
    const emotion = new Float32Array(3 * E);
    emotion[2 * E + pack.networkInfo.implicitEmotionLength + 6] = 1; // joy on the third row
    const out = await session.run({
      input: new ort.Tensor('float32', audio, [3, 1, L]),
      emotion: new ort.Tensor('float32', emotion, [3, 1, E]),
    });
    await session.release();
    const r = out.result.data as Float32Array;
    expect(out.result.dims).toEqual([3, 1, R]);
    const dist = (a: number, b: number) => Math.max(...Array.from({ length: R }, (_, k) => Math.abs(r[a * R + k] - r[b * R + k])));
    expect(dist(0, 1)).toBeGreaterThan(0.05);
    expect(dist(0, 2)).toBeGreaterThan(0.05);
  });
  it('feeds the post-processing: network outputs of a loaded claire pack become a FaceAnimation', async () => {
    const made = packCopy('claire');
    const pack = await loadNvidiaPack(made.dir);
    const { bufferLength: L } = pack.networkInfo.audio;
    const frames = 6;
    const audio = new Float32Array(frames * L);
    for (let f = 0; f < frames; f++)
      for (let i = 0; i < L; i++) audio[f * L + i] = 0.05 * f * Math.sin((2 * Math.PI * (200 + 150 * f) * i) / 16000);
    const track = createEmotionTrack({
      implicit: pack.implicitEmotion,
      info: pack.networkInfo,
      keys: [
        { time: 0, emotions: { joy: 0 } },
        { time: 0.2, emotions: { joy: 1 } },
      ],
    });
    const emotion = track.emotionForFrames(Array.from({ length: frames }, (_, f) => f / 30));
    const session = await ort.InferenceSession.create(pack.files.network);
    const out = await session.run({
      input: new ort.Tensor('float32', audio, [frames, 1, L]),
      emotion: new ort.Tensor('float32', emotion, [frames, 1, track.width]),
    });
    await session.release();
    const post = new A2FPostprocessor({
      rig: toRigData(pack),
      params: pack.params,
      skinSolver: pack.skin.config,
      tongueSolver: pack.tongue.config,
      fps: { num: 30, den: 1 },
    });
    expect(post.layout.total).toBe(pack.networkInfo.resultLength);
    const anim = post.run(out.result.data as Float32Array, {
      provenance: { tool: { name: 'test', version: '0' }, model: { id: 'mini', kind: 'a2f-v2.3' }, parameters: {} },
      blink: false,
    });
    expect(anim.frameCount).toBe(frames);
    expect(anim.channels).toEqual([...SKIN_POSES, ...TONGUE_POSES]);
    expect(anim.weights.every(Number.isFinite)).toBe(true);
    expect(anim.weights.some((w) => w > 0)).toBe(true);
  });
});

describe('loadNvidiaPack failures name the file, what was expected and what was found', () => {
  it('missing files', async () => {
    let made = packCopy('mark');
    rmSync(path.join(made.dir, 'bs_tongue.npz'));
    let err = await failure(loadNvidiaPack(made.dir));
    expect(err.code).toBe('PACK_NOT_FOUND');
    expect(err.file).toBe(path.join(made.dir, 'bs_tongue.npz'));
    expect(err.message).toMatch(/named by model\.json "blendshapePaths\.tongue\.data"/);

    made = packCopy('mark');
    rmSync(path.join(made.dir, 'network.onnx'));
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(path.join(made.dir, 'network.onnx'));
    expect(err.message).toMatch(/"networkPath" names "network\.trt".*ONNX file beside it/);

    made = packCopy('mark');
    rmSync(path.join(made.dir, 'model_config.json'));
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(/model_config\.json is missing \(named by model\.json "modelConfigPath"\)/);

    made = packCopy('mark');
    rmSync(path.join(made.dir, 'model.json'));
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(/no model\.json here/);
  });

  it('wrong dims, extra and missing keys in model_data.npz', async () => {
    let made = packCopy('mark');
    const file = path.join(made.dir, 'model_data.npz');
    const { skinShapes: S, skinVerts: V } = made.sizes;
    await rewriteNpz(file, (a) => {
      a.set('shapes_matrix_skin', { data: new Float32Array(S * (V - 1) * 3), shape: [S, V - 1, 3] });
    });
    let err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(file);
    expect(err.message).toContain(
      `entry "shapes_matrix_skin": shape [${S}, ${V - 1}, 3], expected [${S}, ` +
        `${V}, 3] (num_shapes_skin × num_verts_skin × xyz, from network_info.json)`,
    );

    made = packCopy('mark');
    await rewriteNpz(path.join(made.dir, 'model_data.npz'), (a) => {
      a.set('neutral_skin', { data: new Float32Array(3), shape: [1, 3] });
      a.delete('saccade_rot_matrix');
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(
      /expected exactly the arrays shapes_matrix_skin, .*saccade_rot_matrix; missing "saccade_rot_matrix"; unexpected "neutral_skin"/,
    );

    made = packCopy('mark');
    await rewriteNpz(path.join(made.dir, 'model_data.npz'), (a) => {
      const jaw = a.get('neutral_jaw')!;
      a.set('neutral_jaw', { data: Float64Array.from(jaw.data as Float32Array), shape: jaw.shape });
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(/entry "neutral_jaw": dtype <f8, expected float32/);
  });

  it('truncated npz', async () => {
    const made = packCopy('mark');
    const file = path.join(made.dir, 'bs_skin.npz');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 200));
    const err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/truncated/);
  });

  it('blendshape rigs: poseNames[0], missing deltas, vertex count, config pose count', async () => {
    let made = packCopy('mark');
    let file = path.join(made.dir, 'bs_skin.npz');
    await rewriteNpz(file, (a) => {
      const names = a.get('poseNames')!.data as string[];
      a.set('poseNames', { data: [...names.slice(1), names[0]], shape: [names.length] });
    });
    let err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(file);
    expect(err.message).toContain('entry "poseNames": poseNames[0] is "eyeBlinkLeft", expected "neutral"');

    made = packCopy('mark');
    file = path.join(made.dir, 'bs_tongue.npz');
    await rewriteNpz(file, (a) => {
      a.delete('tongueWide');
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(/bs_tongue\.npz: poseNames lists "tongueWide" but the archive has no such delta array/);

    made = packCopy('mark');
    file = path.join(made.dir, 'bs_tongue.npz');
    await rewriteNpz(file, (a) => {
      a.set('neutral', { data: new Float32Array(6), shape: [2, 3] });
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toContain(`entry "neutral": shape [2, 3], expected [${made.sizes.tongueVerts}, 3] (num_verts_tongue × xyz`);

    made = packCopy('mark');
    file = path.join(made.dir, 'bs_skin.npz');
    await rewriteNpz(file, (a) => {
      const names = a.get('poseNames')!.data as string[];
      a.set('poseNames', { data: names.slice(0, -1), shape: [names.length - 1] });
      a.delete(names[names.length - 1]);
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(path.join(made.dir, 'bs_skin_config.json'));
    expect(err.message).toMatch(/"blendshape_params\.numPoses" is 52 but the blendshape data has 51 poses/);
  });

  it('network_info.json and model_config.json contents', async () => {
    const edit = (dir: string, name: string, fn: (j: Record<string, any>) => void) => {
      const file = path.join(dir, name);
      const j = JSON.parse(readFileSync(file, 'utf8'));
      fn(j);
      writeFileSync(file, JSON.stringify(j));
      return file;
    };
    let made = packCopy('mark');
    let file = edit(made.dir, 'network_info.json', (j) => {
      j.id.type = 'diffusion';
    });
    let err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(
      /"id\.type" must be "regression".*found the string "diffusion"\. Use the network_info\.json shipped with the pack/,
    );

    made = packCopy('mark');
    file = edit(made.dir, 'network_info.json', (j) => {
      j.params.default_emotion.pop();
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(/"params\.default_emotion" must be as long as params\.explicit_emotions \(10\), found an array of 9/);

    made = packCopy('mark');
    file = edit(made.dir, 'model_config.json', (j) => {
      j.config.source_shot = 'nope';
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(
      /source_shot "nope" is not a shot of .*implicit_emo_db\.npz; it has "p1_neutral" \(64 frames\), "g2a_neutral"/,
    );

    made = packCopy('mark');
    edit(made.dir, 'model_config.json', (j) => {
      j.config.source_frame = 48;
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.message).toMatch(/source_frame 48 is outside shot "g2a_neutral", which has frames 0…47/);

    made = packCopy('mark');
    file = edit(made.dir, 'model.json', (j) => {
      delete j.modelDataPath;
    });
    err = await failure(loadNvidiaPack(made.dir));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(
      /"modelDataPath" must be a relative file path, found nothing\. Use the model\.json shipped with the pack\./,
    );
  });

  it('wrong tensor names or dims in the ONNX', async () => {
    const made = packCopy('mark');
    const pack = await loadNvidiaPack(made.dir);
    const { emotionLen: E, resultLen: R } = made.sizes;
    contractOnnx(pack.files.network, { audio: 'audio', emotionDim: E, resultDim: R });
    let err = await failure(checkNvidiaNetwork(pack));
    expect(err.code).toBe('NETWORK_MISMATCH');
    expect(err.file).toBe(pack.files.network);
    expect(err.message).toMatch(
      /network_info\.json.*inputs: the network takes "audio", "emotion", the manifest declares "input", "emotion"/,
    );

    contractOnnx(pack.files.network, { emotionDim: E - 1, resultDim: R });
    err = await failure(checkNvidiaNetwork(pack));
    expect(err.message).toContain(`"emotion" is float32 [batch_size, 1, ${E - 1}] in the network, declared float32 [batch_size, 1, ${E}]`);

    contractOnnx(pack.files.network, { emotionDim: E, resultDim: R, output: 'out' });
    err = await failure(checkNvidiaNetwork(pack));
    expect(err.message).toMatch(/outputs: the network produces "out", the manifest declares "result"/);

    writeFileSync(pack.files.network, Buffer.from('not an onnx file'));
    err = await failure(checkNvidiaNetwork(pack));
    expect(err.code).toBe('NETWORK_LOAD');
  });
});
