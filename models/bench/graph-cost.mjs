// Parameter count and arithmetic cost of a graph built with GraphBuilder (models/lib/onnx.mjs),
// computed by walking the graph itself: every node's output shape is inferred from its inputs
// (batch 1), so the figures describe the network that was written, not a formula typed in
// beside it. Only the operators the benchmark network uses are known; anything else throws,
// so a graph edit can never silently drop out of the count.

/** Broadcast two shapes (numpy rules). */
function broadcast(a, b) {
  const n = Math.max(a.length, b.length);
  const out = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

const size = (shape) => shape.reduce((p, d) => p * d, 1);
const axis = (a, rank) => (a < 0 ? a + rank : a);

/** Integer values of a constant (Reshape shapes, Slice bounds, Tile repeats). */
function intsOf(consts, name, op) {
  const c = consts.get(name);
  if (!c) throw new Error(`${op}: input "${name}" must be a constant for the cost walk`);
  return Array.from(c.data, Number);
}

/** One node: its output shapes, its multiply-accumulates (conv/matmul) and its other element operations. */
function inferNode(node, shapeOf, consts) {
  const s = node.inputs.map((i) => (i === '' ? null : shapeOf(i)));
  const attr = node.attrs;
  const elementwise = (shape) => ({ shapes: [shape], macs: 0, other: size(shape) });
  switch (node.opType) {
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
      return elementwise(broadcast(s[0], s[1]));
    case 'Erf':
    case 'Sqrt':
    case 'Relu':
    case 'LeakyRelu':
      return elementwise(s[0]);
    case 'Softmax':
      // exp, sum, divide per element
      return { shapes: [s[0]], macs: 0, other: 3 * size(s[0]) };
    case 'InstanceNormalization':
      // mean, variance, normalise, scale+shift
      return { shapes: [s[0]], macs: 0, other: 5 * size(s[0]) };
    case 'Conv': {
      const [n, , ...spatial] = s[0];
      const [m, cPerGroup, ...kernel] = s[1];
      const strides = attr.strides ?? kernel.map(() => 1);
      const pads = attr.pads ?? kernel.map(() => 0).concat(kernel.map(() => 0));
      const dil = attr.dilations ?? kernel.map(() => 1);
      const outSpatial = spatial.map(
        (d, i) => Math.floor((d + pads[i] + pads[i + kernel.length] - dil[i] * (kernel[i] - 1) - 1) / strides[i]) + 1,
      );
      const out = [n, m, ...outSpatial];
      return { shapes: [out], macs: size(out) * cPerGroup * size(kernel), other: s[2] ? size(out) : 0 };
    }
    case 'MatMul': {
      const a = s[0].length === 1 ? [1, s[0][0]] : s[0];
      const b = s[1].length === 1 ? [s[1][0], 1] : s[1];
      const k = a[a.length - 1];
      if (b[b.length - 2] !== k) throw new Error(`MatMul ${node.name}: [${s[0]}] × [${s[1]}]`);
      const out = [...broadcast(a.slice(0, -2), b.slice(0, -2)), a[a.length - 2], b[b.length - 1]];
      return { shapes: [out], macs: size(out) * k, other: 0 };
    }
    case 'Reshape': {
      const want = intsOf(consts, node.inputs[1], 'Reshape');
      const shape = want.map((d, i) => (d === 0 ? s[0][i] : d));
      const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
      return { shapes: [shape.map((d) => (d === -1 ? size(s[0]) / known : d))], macs: 0, other: 0 };
    }
    case 'Transpose': {
      const perm = attr.perm ?? s[0].map((_, i) => s[0].length - 1 - i);
      return { shapes: [perm.map((p) => s[0][p])], macs: 0, other: 0 };
    }
    case 'Unsqueeze': {
      const axes = intsOf(consts, node.inputs[1], 'Unsqueeze');
      const rank = s[0].length + axes.length;
      const out = [...s[0]];
      for (const a of axes.map((x) => axis(x, rank)).sort((x, y) => x - y)) out.splice(a, 0, 1);
      return { shapes: [out], macs: 0, other: 0 };
    }
    case 'ReduceMean':
    case 'ReduceSum': {
      const axes = (node.opType === 'ReduceSum' ? intsOf(consts, node.inputs[1], 'ReduceSum') : attr.axes).map((a) => axis(a, s[0].length));
      const keep = attr.keepdims ?? 1;
      const out = [];
      s[0].forEach((d, i) => {
        if (!axes.includes(i)) out.push(d);
        else if (keep) out.push(1);
      });
      return { shapes: [out], macs: 0, other: size(s[0]) };
    }
    case 'Slice': {
      const starts = intsOf(consts, node.inputs[1], 'Slice');
      const ends = intsOf(consts, node.inputs[2], 'Slice');
      const axes = node.inputs[3] ? intsOf(consts, node.inputs[3], 'Slice') : starts.map((_, i) => i);
      const out = [...s[0]];
      axes.forEach((a0, i) => {
        const a = axis(a0, out.length);
        const d = s[0][a];
        const clamp = (v) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
        out[a] = Math.max(0, clamp(ends[i]) - clamp(starts[i]));
      });
      return { shapes: [out], macs: 0, other: 0 };
    }
    case 'Gather': {
      const a = axis(attr.axis ?? 0, s[0].length);
      return { shapes: [[...s[0].slice(0, a), ...s[1], ...s[0].slice(a + 1)]], macs: 0, other: 0 };
    }
    case 'Concat': {
      const a = axis(attr.axis, s[0].length);
      const out = [...s[0]];
      out[a] = s.reduce((n, x) => n + x[a], 0);
      return { shapes: [out], macs: 0, other: 0 };
    }
    case 'Tile': {
      const reps = intsOf(consts, node.inputs[1], 'Tile');
      return { shapes: [s[0].map((d, i) => d * reps[i])], macs: 0, other: 0 };
    }
    default:
      throw new Error(`graph cost: operator ${node.opType} (${node.name}) is not known to the cost walk`);
  }
}

/**
 * Walks `graph` (a GraphBuilder) with every symbolic input dim set to 1. `params` is the set of
 * initializer names that are trained weights (constants such as window tables and shapes are
 * not parameters). Returns counts per frame: parameters, multiply-accumulates of Conv/MatMul,
 * FLOPs = 2·MACs (the convention of the reference's "≈1.6 GMAC ≈ 3.2 GFLOP"), the element-wise
 * operations beside them, and MACs per operator type.
 */
export function graphCost(graph, params) {
  const shapes = new Map();
  const consts = new Map();
  for (const t of graph.initializers) {
    shapes.set(t.name, t.dims);
    consts.set(t.name, t);
  }
  for (const i of graph.inputs)
    shapes.set(
      i.name,
      i.dims.map((d) => (typeof d === 'string' ? 1 : d)),
    );
  const shapeOf = (name) => {
    const sh = shapes.get(name);
    if (!sh) throw new Error(`graph cost: tensor "${name}" is used before it is produced`);
    return sh;
  };
  let macs = 0;
  let other = 0;
  const byOp = {};
  for (const node of graph.nodes) {
    const r = inferNode(node, shapeOf, consts);
    node.outputs.forEach((o, i) => {
      shapes.set(o, r.shapes[i]);
    });
    macs += r.macs;
    other += r.other;
    if (r.macs) byOp[node.opType] = (byOp[node.opType] ?? 0) + r.macs;
  }
  let parameters = 0;
  for (const t of graph.initializers) if (params.has(t.name)) parameters += t.data.length;
  const outputs = Object.fromEntries(graph.outputs.map((o) => [o.name, shapeOf(o.name)]));
  return { parameters, macs, flops: 2 * macs, otherOps: other, macsByOp: byOp, outputs };
}
