#!/usr/bin/python3
"""Trains the default model's network on the data of make-data.mjs (models/README.md, "How the
default model is trained"). Debian 12: apt-get install python3-torch python3-numpy.

    /usr/bin/python3 models/default/train/train.py DATA_DIR OUT_DIR [--seed S] [--epochs N]

The network is fully convolutional over log-mel frames (10 ms hop), so it trains on whole
utterances, while the ONNX model (build.mjs) runs the same layers on the 41 frames of one A2F
window: frame m of a window centred at sample c covers [c + 160 m - 200, c + 160 m + 200),
m = -20..20, all inside the 8320-sample window (<= 212.5 ms ahead of the frame). Writes
OUT_DIR/weights.json (float32 weights, base64) and OUT_DIR/check.json (windows and the outputs
this code gives for them, for the ONNX parity check).
"""
import argparse
import base64
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

RATE = 16000
HOP = 160
FRAME = 400
MELS = 40
CONTEXT = 20  # frames each side of the centre
EPS = 1e-6
FMIN, FMAX = 60.0, 7600.0


def mel_matrix():
    """Triangular mel bands (HTK mel scale) over the 201 bins of a 400-point DFT at 16 kHz."""
    mel = lambda f: 2595.0 * math.log10(1 + f / 700.0)
    inv = lambda m: 700.0 * (10 ** (m / 2595.0) - 1)
    edges = [inv(mel(FMIN) + (mel(FMAX) - mel(FMIN)) * i / (MELS + 1)) for i in range(MELS + 2)]
    bins = np.arange(FRAME // 2 + 1) * RATE / FRAME
    w = np.zeros((FRAME // 2 + 1, MELS))
    for b in range(MELS):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        up = (bins - lo) / (mid - lo)
        down = (hi - bins) / (hi - mid)
        w[:, b] = np.maximum(0, np.minimum(up, down))
    return w


def dft_matrix():
    """Hann window (periodic) times the DFT's cos and -sin rows, scaled by 1/FRAME: [400, 2 x 201]."""
    n = np.arange(FRAME)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * n / FRAME)
    k = np.arange(FRAME // 2 + 1)
    ang = 2 * np.pi * np.outer(n, k) / FRAME
    return np.concatenate([np.cos(ang), -np.sin(ang)], axis=1) * hann[:, None] / FRAME


DFT = dft_matrix()
MEL = mel_matrix()


def features(frames):
    """[T, 400] samples -> [T, 41]: 40 log-mel minus their mean (spectral shape), and the mean itself, scaled (level)."""
    spec = frames @ DFT
    half = FRAME // 2 + 1
    power = spec[:, :half] ** 2 + spec[:, half:] ** 2
    logmel = np.log(power @ MEL + EPS)
    level = logmel.mean(axis=1, keepdims=True)
    return np.concatenate([logmel - level, (level + 8.0) / 4.0], axis=1)


def utterance_features(x, frames):
    """Features of mel frames m = -CONTEXT .. frames-1+CONTEXT of one utterance (zeros outside it)."""
    pad = CONTEXT * HOP + FRAME // 2
    xp = np.concatenate([np.zeros(pad), x, np.zeros(pad + FRAME)])
    starts = np.arange(-CONTEXT, frames + CONTEXT) * HOP - FRAME // 2 + pad
    idx = starts[:, None] + np.arange(FRAME)[None, :]
    return features(xp[idx]).astype(np.float32)


class Net(torch.nn.Module):
    def __init__(self, ch=64, hidden=96, out=11):
        super().__init__()
        self.c1 = torch.nn.Conv1d(MELS + 1, ch, 5)
        self.c2 = torch.nn.Conv1d(ch, ch, 5, dilation=2)
        self.c3 = torch.nn.Conv1d(ch, ch, 5, dilation=4)
        self.c4 = torch.nn.Conv1d(ch, hidden, 13)
        self.c5 = torch.nn.Conv1d(hidden, out, 1)

    def forward(self, f):  # f: [B, 41, T + 40] -> logits [B, 11, T]
        h = F.relu(self.c1(f))
        h = F.relu(self.c2(h))
        h = F.relu(self.c3(h))
        h = F.relu(self.c4(h))
        return self.c5(h)


def b64(t):
    return base64.b64encode(t.detach().numpy().astype('<f4').tobytes()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('data')
    ap.add_argument('out')
    ap.add_argument('--seed', type=int, default=1414)
    ap.add_argument('--epochs', type=int, default=24)
    ap.add_argument('--crop', type=int, default=256)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(int(os.environ.get('TRAIN_THREADS', '2')))
    index = json.load(open(os.path.join(a.data, 'index.json')))
    audio = np.fromfile(os.path.join(a.data, 'audio.f32'), dtype='<f4')
    targets = np.fromfile(os.path.join(a.data, 'targets.f32'), dtype='<f4').reshape(-1, 11)
    utts = index['utterances']
    # Every 10th utterance is held out from training to watch over-fitting (not the judge's sentences).
    feats, tgts = [], []
    t0 = time.time()
    for u in utts:
        x = audio[u['sample']:u['sample'] + u['frames'] * HOP].astype(np.float64)
        feats.append(torch.from_numpy(utterance_features(x, u['frames'])))
        tgts.append(torch.from_numpy(targets[u['frame']:u['frame'] + u['frames']].copy()))
    print(f'features: {len(utts)} utterances in {time.time() - t0:.0f} s', flush=True)
    val = [i for i in range(len(utts)) if i % 10 == 0]
    train = [i for i in range(len(utts)) if i % 10 != 0]

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs)
    # Per articulator: the jaw, the closure and the f/v tuck are what a viewer judges first; th is brief and rare.
    weight = torch.tensor([3, 3, 1.5, 1, 1, 3, 1.5, 5, 0.5, 0.5, 1.0]).view(1, 11, 1)
    crop = a.crop
    gen = torch.Generator().manual_seed(a.seed)

    def batches(ids, shuffle):
        crops = []
        for i in ids:
            n = tgts[i].shape[0]
            for s in range(0, n, crop):
                crops.append((i, s, min(crop, n - s)))
        order = torch.randperm(len(crops), generator=gen).tolist() if shuffle else range(len(crops))
        batch = []
        for j in order:
            batch.append(crops[j])
            if len(batch) == 32:
                yield batch
                batch = []
        if batch:
            yield batch

    def stack(batch):
        L = max(c[2] for c in batch)
        f = torch.zeros(len(batch), MELS + 1, L + 2 * CONTEXT)
        f[:, MELS, :] = (math.log(EPS) + 8.0) / 4.0  # padding reads as digital silence
        y = torch.zeros(len(batch), 11, L)
        m = torch.zeros(len(batch), 1, L)
        for b, (i, s, n) in enumerate(batch):
            f[b, :, :n + 2 * CONTEXT] = feats[i][s:s + n + 2 * CONTEXT].T
            y[b, :, :n] = tgts[i][s:s + n].T
            m[b, :, :n] = 1
        return f, y, m

    def loss_of(batch):
        f, y, m = stack(batch)
        logits = net(f)
        l = F.binary_cross_entropy_with_logits(logits, y, reduction='none') * weight * m
        return l.sum() / (m.sum() * 11)

    vl = [float('nan')]
    for epoch in range(a.epochs):
        net.train()
        t0 = time.time()
        total, count = 0.0, 0
        for batch in batches(train, True):
            opt.zero_grad()
            l = loss_of(batch)
            l.backward()
            opt.step()
            total += l.item()
            count += 1
        sched.step()
        net.eval()
        with torch.no_grad():
            vl = [loss_of(b).item() for b in batches(val, False)]
        print(f'epoch {epoch + 1}/{a.epochs}: train {total / count:.4f} val {sum(vl) / len(vl):.4f} ({time.time() - t0:.0f} s)', flush=True)

    os.makedirs(a.out, exist_ok=True)
    layers = []
    for name, conv in [('c1', net.c1), ('c2', net.c2), ('c3', net.c3), ('c4', net.c4), ('c5', net.c5)]:
        layers.append({
            'name': name,
            'shape': list(conv.weight.shape),
            'dilation': conv.dilation[0],
            'weight': b64(conv.weight),
            'bias': b64(conv.bias),
        })
    meta = {'seed': a.seed, 'epochs': a.epochs, 'crop': crop, 'hop': HOP, 'frame': FRAME, 'mels': MELS, 'context': CONTEXT,
            'eps': EPS, 'fmin': FMIN, 'fmax': FMAX, 'levelOffset': 8.0, 'levelScale': 4.0, 'torch': torch.__version__,
            'threads': torch.get_num_threads(), 'trainUtterances': len(train), 'valUtterances': len(val), 'finalValLoss': sum(vl) / len(vl)}
    json.dump({'meta': meta, 'layers': layers}, open(os.path.join(a.out, 'weights.json'), 'w'))

    # Parity windows: 8320-sample A2F windows from validation utterances and this code's output for each.
    rng = np.random.default_rng(a.seed)
    checks = []
    for k in range(8):
        u = utts[val[k % len(val)]]
        x = audio[u['sample']:u['sample'] + u['frames'] * HOP].astype(np.float64)
        c = int(rng.integers(0, len(x)))
        win = np.zeros(8320)
        lo, hi = c - 4160, c + 4160
        win[max(0, -lo):8320 - max(0, hi - len(x))] = x[max(0, lo):min(len(x), hi)]
        win = win.astype(np.float32).astype(np.float64)
        starts = 4160 + np.arange(-CONTEXT, CONTEXT + 1) * HOP - FRAME // 2
        f = features(win[starts[:, None] + np.arange(FRAME)[None, :]]).astype(np.float32)
        with torch.no_grad():
            y = torch.sigmoid(net(torch.from_numpy(f.T.copy())[None]))[0, :, 0]
        checks.append({'window': base64.b64encode(win.astype('<f4').tobytes()).decode(), 'output': y.tolist()})
    json.dump(checks, open(os.path.join(a.out, 'check.json'), 'w'))
    print(f'wrote {a.out}/weights.json and check.json', flush=True)


if __name__ == '__main__':
    main()
