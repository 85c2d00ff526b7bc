// Reads the canonical .usda text that Pixar USD's own writer produces (UsdStage.ExportToString of a
// flattened stage): prims with their paths, properties with default values, time samples and
// relationship targets, and the layer metadata. It is deliberately independent of @a2f/usd so the
// validation harness never checks our writer with our own parser.
'use strict';

/** Parses one USD value (`1.5`, `"tok"`, `[...]`, `(...)`, `</a/b>`, `@x@`, `None`, `{ dict }`). */
function parseValue(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length) {
      if (/\s/.test(text[i])) i++;
      else if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      else break;
    }
  };
  const fail = (why) => {
    throw new Error(`cannot read USD value (${why}) at ${i}: ${text.slice(Math.max(0, i - 20), i + 40)}`);
  };
  function str() {
    const q = text.startsWith('"""', i) || text.startsWith("'''", i) ? text.slice(i, i + 3) : text[i];
    i += q.length;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      if (text.startsWith(q, i)) {
        i += q.length;
        return out;
      }
      const c = text[i++];
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[i++];
      const simple = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
      if (e in simple) out += simple[e];
      else if (e === 'x') {
        out += String.fromCharCode(parseInt(text.slice(i, i + 2), 16));
        i += 2;
      } else if (/[0-7]/.test(e)) {
        let oct = e;
        while (oct.length < 3 && /[0-7]/.test(text[i])) oct += text[i++];
        out += String.fromCharCode(parseInt(oct, 8));
      } else out += e;
    }
  }
  function seq(close) {
    const items = [];
    i++;
    for (;;) {
      ws();
      if (text[i] === close) {
        i++;
        return items;
      }
      items.push(val());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected , or ${close}`);
    }
  }
  function dict() {
    const out = {};
    i++;
    for (;;) {
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      // `type key = value`; the type may be `dictionary`, `string`, `double[]`, ...
      const type = /^[A-Za-z_][\w:]*(\[\])?/.exec(text.slice(i));
      if (!type) fail('expected a dictionary entry type');
      i += type[0].length;
      ws();
      const key = text[i] === '"' || text[i] === "'" ? str() : /^[^\s=]+/.exec(text.slice(i))[0];
      if (!(text[i - 1] === '"' || text[i - 1] === "'")) i += key.length;
      ws();
      if (text[i] !== '=') fail('expected = in dictionary');
      i++;
      ws();
      out[key] = val();
      ws();
      if (text[i] === ';' || text[i] === ',') i++;
    }
  }
  function val() {
    ws();
    const c = text[i];
    if (c === '[') return seq(']');
    if (c === '(') return seq(')');
    if (c === '{') return dict();
    if (c === '"' || c === "'") return str();
    if (c === '<') {
      const j = text.indexOf('>', i);
      const p = text.slice(i + 1, j);
      i = j + 1;
      return p;
    }
    if (c === '@') {
      const q = text.startsWith('@@@', i) ? '@@@' : '@';
      const j = text.indexOf(q, i + q.length);
      const p = text.slice(i + q.length, j);
      i = j + q.length;
      return p;
    }
    const m = /^(-?inf|nan|-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      return m[0] === 'nan' ? NaN : m[0] === 'inf' ? Infinity : m[0] === '-inf' ? -Infinity : Number(m[0]);
    }
    const w = /^[A-Za-z_][\w:.]*/.exec(text.slice(i));
    if (w) {
      i += w[0].length;
      return w[0] === 'None' ? null : w[0];
    }
    return fail('unexpected character');
  }
  const v = val();
  ws();
  if (i !== text.length) fail('trailing text');
  return v;
}

/** From `pos` (at an opening bracket, a quote or a scalar), the index just past that one value. */
function valueEnd(text, pos) {
  let depth = 0;
  let i = pos;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const q = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += q.length;
      while (i < text.length && !text.startsWith(q, i)) i += text[i] === '\\' ? 2 : 1;
      i += q.length;
    } else if (c === '@') {
      const q = text.startsWith('@@@', i) ? '@@@' : '@';
      i = text.indexOf(q, i + q.length) + q.length;
    } else if (c === '<') i = text.indexOf('>', i) + 1;
    else if (c === '[' || c === '(' || c === '{') {
      depth++;
      i++;
      continue;
    } else if (c === ']' || c === ')' || c === '}') {
      if (depth === 0) return i;
      depth--;
      i++;
    } else if (depth === 0 && /[\s,]/.test(c)) return i;
    else {
      i++;
      continue;
    }
    if (depth === 0) return i;
  }
  return i;
}

// A property line: [custom|varying|prepend…] [uniform] type name[.timeSamples|.connect], then =, ( or the end.
const PROPERTY = new RegExp(
  [
    '^(?:(custom|varying|prepend|append|delete|add|reorder)\\s+)*(uniform\\s+)?',
    '(rel|[A-Za-z_][\\w]*(?:\\[\\])?)\\s+([A-Za-z_][\\w:.]*?)(\\.timeSamples|\\.connect)?(?=\\s*(=|\\(|$))',
  ].join(''),
  'm',
);

/**
 * Walks USD's canonical output: every prim header `def|over|class [Type] "name"` opens a body in
 * `{ }`; metadata blocks in `( )` are skipped. Returns the layer metadata and a map from prim path
 * to { specifier, type, props: { name: { type, uniform, default?, samples?, targets? } } } where
 * values are still text (so callers can compare USD's own spelling of numbers).
 */
function indexUsda(text) {
  const prims = {};
  const stack = [];
  let metadata = {};
  let i = 0;
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const lineRest = () => {
    const j = text.indexOf('\n', i);
    return text.slice(i, j < 0 ? text.length : j);
  };
  const skipBalanced = () => {
    i = valueEnd(text, i);
  };

  if (!text.startsWith('#usda')) throw new Error('not USD text output');
  i = text.indexOf('\n') + 1;
  skipWs();
  if (text[i] === '(') {
    const end = valueEnd(text, i);
    metadata = readMetadataBlock(text.slice(i + 1, end - 1));
    i = end;
  }
  for (;;) {
    skipWs();
    if (i >= text.length) break;
    if (text[i] === '}') {
      stack.pop();
      i++;
      continue;
    }
    const rest = lineRest();
    const header = /^(def|over|class)(?:\s+([A-Za-z_][\w:.]*))?\s+"([^"]+)"/.exec(rest);
    if (header) {
      const path = (stack.length ? stack[stack.length - 1] : '') + '/' + header[3];
      prims[path] = { specifier: header[1], type: header[2] ?? '', props: {} };
      i += header[0].length;
      skipWs();
      if (text[i] === '(') skipBalanced();
      skipWs();
      if (text[i] !== '{') throw new Error(`expected { after prim ${path}`);
      i++;
      stack.push(path);
      continue;
    }
    const prim = prims[stack[stack.length - 1]];
    const prop = PROPERTY.exec(rest);
    if (!prim || !prop || /^(variantSet|variants)\b/.test(rest)) {
      // Something this reader does not model (variant sets, reorder statements): skip it whole.
      i += rest.search(/[{([]|$/);
      if (/[{([]/.test(text[i])) skipBalanced();
      continue;
    }
    const [, , uniform, type, name, suffix] = prop;
    prim.props[name] ??= { type, uniform: Boolean(uniform) };
    const p = prim.props[name];
    i += prop[0].length;
    skipWs();
    if (text[i] === '=') {
      i++;
      skipWs();
      const start = i;
      skipBalanced();
      const value = text.slice(start, i);
      if (suffix === '.timeSamples') p.samples = readSamples(value);
      else if (type === 'rel' || suffix === '.connect') p.targets = value.trim().startsWith('[') ? parseValue(value) : [parseValue(value)];
      else p.default = value;
    }
    const after = lineRest();
    if (/^\s*\(/.test(after)) {
      skipWs();
      skipBalanced();
    }
  }
  return { metadata, prims };
}

function readMetadataBlock(body) {
  const out = {};
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(?:(prepend|append|delete|add)\s+)?([A-Za-z_]\w*)\s*=\s*/.exec(body.slice(i));
    if (!m) break;
    i += m[0].length;
    const end = valueEnd(body, i);
    const raw = body.slice(i, end);
    try {
      out[m[2]] = parseValue(raw);
    } catch {
      out[m[2]] = raw;
    }
    i = end;
  }
  return out;
}

/** `{ t: value, ... }` → [timeText, valueText][] in the written order. */
function readSamples(block) {
  const out = [];
  let i = block.indexOf('{') + 1;
  for (;;) {
    while (i < block.length && /[\s,]/.test(block[i])) i++;
    if (i >= block.length || block[i] === '}') return out;
    const colon = block.indexOf(':', i);
    const time = block.slice(i, colon).trim();
    i = colon + 1;
    while (/\s/.test(block[i])) i++;
    const end = valueEnd(block, i);
    out.push([time, block.slice(i, end)]);
    i = end;
  }
}

module.exports = { parseValue, indexUsda };
