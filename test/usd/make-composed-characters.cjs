// Writes the test characters of docs/usd-reading.md ("Test characters") into a folder: the sample
// face in every USD form, two composed variants of it, and characters the toolkit must refuse.
//
//   node test/usd/make-composed-characters.cjs OUT_DIR     → a JSON manifest on stdout
//
// Text layers are cut out of samples/character/face.usda (deterministic, no numbers recomputed).
// Crate layers (.usdc, and .usd holding crate) are written by real Pixar USD 0.22 through
// export-crate.cjs. That build writes crate only through UsdStage::Export, which flattens the stage:
// composition arcs (references, payloads, variant sets, sublayers) do not survive it. So every layer
// that holds data is exported to crate, and the small asset layers that only carry arcs stay text
// (.usda), as in many studio assets. The build has no UsdUtils usdz packaging either, so packages are
// zipped here: stored entries, each file's data at a multiple of 64 bytes, as the usdz specification
// asks. Finally real USD (readback.cjs) opens every form and flattens it, as a check.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const SAMPLE = path.join(__dirname, '../../samples/character/face.usda');
/** The mouth-only face of the "lite" variant keeps the jaw and mouth shapes (27 of the 52). */
const LITE = (token) => /^(jaw|mouth)/.test(token);

// ---- text: the sample cut into its prims ------------------------------------------------------

/** The sample's text, and its root prim's children as blocks of lines (4-space indented), by name. */
function readSample() {
  const lines = fs.readFileSync(SAMPLE, 'utf8').split('\n');
  const blocks = new Map();
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {4}def \w+ "(\w+)"/.exec(lines[i]);
    if (!m) continue;
    const end = lines.indexOf('    }', i);
    blocks.set(m[1], lines.slice(i, end + 1));
    i = end;
  }
  for (const name of ['Skel', 'Face', 'Tongue', 'Eye_L', 'Eye_R'])
    if (!blocks.has(name)) throw new Error(`${SAMPLE}: prim /Character/${name} not found; regenerate it with make-character.mjs`);
  return { text: lines.join('\n'), blocks };
}

const indent = (lines, by) => lines.map((l) => (l ? ' '.repeat(by) + l : l));
const retarget = (lines, from, to) => lines.map((l) => l.split(`</${from}/`).join(`</${to}/`));

/** The face mesh cut down to the tokens `keep` accepts, renamed: its token list, targets and shapes. */
function cutFace(face, name, keep) {
  const out = [];
  for (let i = 0; i < face.length; i++) {
    const line = face[i];
    const shape = /^ {8}def BlendShape "(\w+)"/.exec(line);
    if (shape) {
      const end = face.indexOf('        }', i);
      if (keep(shape[1])) out.push(...face.slice(i, end + 1), '');
      i = end + (face[end + 1] === '' ? 1 : 0);
      continue;
    }
    const list = /^ {8}(uniform token\[\] skel:blendShapes|rel skel:blendShapeTargets) = \[$/.exec(line);
    if (list) {
      const end = face.indexOf('        ]', i);
      const items = face
        .slice(i + 1, end)
        .join(' ')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => keep(s.replace(/^"|"$/g, '').replace(/^<.*\/(\w+)>$/, '$1')));
      out.push(`        ${list[1]} = [`, `            ${items.join(', ')}`, '        ]');
      i = end;
      continue;
    }
    out.push(line);
  }
  while (out.at(-2) === '') out.splice(-2, 1);
  return retarget(out, 'Character/Face', `Character/${name}`).map((l, k) => (k === 0 ? l.replace('"Face"', `"${name}"`) : l));
}

const HEADER = (defaultPrim, doc) => [
  '#usda 1.0',
  '(',
  `    defaultPrim = "${defaultPrim}"`,
  `    doc = "${doc}"`,
  '    metersPerUnit = 0.01',
  '    upAxis = "Y"',
  ')',
  '',
];
const DOC = 'Test character derived from samples/character/face.usda by test/usd/make-composed-characters.cjs';

/** A layer whose one root prim holds the given blocks. */
const layer = (spec, name, meta, blocks) =>
  [...HEADER(name, DOC), `${spec} "${name}"${meta.length ? ` (\n${meta.map((m) => `    ${m}`).join('\n')}\n)` : ''}`, '{']
    .concat(
      blocks.flatMap((b, k) => (k ? ['', ...b] : b)),
      ['}', ''],
    )
    .join('\n');

/** The text layers of every composed character, their asset paths ending in `ext` (usda, usdc or usd). */
function composedLayers(sample, ext) {
  const b = (n) => sample.blocks.get(n);
  const lite = cutFace(b('Face'), 'FaceLite', LITE);
  return {
    // (a) the skeleton in one file, the meshes and their blendshapes in a payloaded file, an asset layer referencing both.
    split: {
      root: 'character.usda',
      layers: {
        'character.usda': layer(
          'def SkelRoot',
          'Character',
          ['kind = "component"', `prepend payload = @./geometry.${ext}@`, `prepend references = @./skeleton.${ext}@`],
          [],
        ),
        'skeleton.usda': layer('def SkelRoot', 'Rig', [], [b('Skel')]),
        'geometry.usda': layer(
          'def Xform',
          'Geometry',
          [],
          ['Face', 'Tongue', 'Eye_L', 'Eye_R'].map((n) => retarget(b(n), 'Character', 'Geometry')),
        ),
      },
      crate: ['skeleton', 'geometry'],
    },
    // (b) a variant set "face" choosing between the full face (52 shapes) and a mouth-only one (27): the rig is
    // referenced, each variant payloads its own face mesh file.
    variants: {
      root: 'character.usda',
      layers: {
        'character.usda': [
          ...HEADER('Character', DOC),
          'def SkelRoot "Character" (',
          '    kind = "component"',
          `    prepend references = @./rig.${ext}@`,
          '    variants = {',
          '        string face = "full"',
          '    }',
          '    prepend variantSets = "face"',
          ')',
          '{',
          '    variantSet "face" = {',
          ...['full', 'lite'].flatMap((v) => [
            `        "${v}" (`,
            `            prepend payload = @./face_${v}.${ext}@`,
            '        ) {',
            '        }',
            '',
          ]),
          '    }',
          '}',
          '',
        ].join('\n'),
        'rig.usda': layer(
          'def SkelRoot',
          'Rig',
          [],
          ['Skel', 'Tongue', 'Eye_L', 'Eye_R'].map((n) => retarget(b(n), 'Character', 'Rig')),
        ),
        'face_full.usda': layer('def Xform', 'FaceFull', [], [retarget(b('Face'), 'Character', 'FaceFull')]),
        'face_lite.usda': layer('def Xform', 'FaceLite', [], [retarget(lite, 'Character', 'FaceLite')]),
      },
      crate: ['rig', 'face_full', 'face_lite'],
    },
  };
}

/** (b) as one text file: the same variant set with both face meshes written inside its variants. */
function variantsInline(sample) {
  const b = (n) => sample.blocks.get(n);
  const body = (v, mesh) => [`        "${v}" {`, ...indent(mesh, 8), '        }'];
  return [
    ...HEADER('Character', DOC),
    'def SkelRoot "Character" (',
    '    kind = "component"',
    '    variants = {',
    '        string face = "full"',
    '    }',
    '    prepend variantSets = "face"',
    ')',
    '{',
    ...['Skel', 'Tongue', 'Eye_L', 'Eye_R'].flatMap((n) => [...b(n), '']),
    '    variantSet "face" = {',
    ...body('full', b('Face')),
    ...body('lite', cutFace(b('Face'), 'FaceLite', LITE)),
    '    }',
    '}',
    '',
  ].join('\n');
}

// ---- usdz: a zip of stored entries, data 64-byte aligned ----------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip of `entries` ([name, bytes], the root layer first) with no compression. Each entry's data starts
 * at a multiple of `align` bytes: the local header's extra field is padded with a field of id 0x1986,
 * as USD's own zip writer does. `align: 1` writes an unaligned package (a bad-input case).
 */
function zip(entries, { align = 64 } = {}) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    let pad = (align - ((offset + 30 + nameBytes.length) % align)) % align;
    if (pad > 0 && pad < 4) pad += align; // an extra field needs 4 bytes of its own header
    const extra = Buffer.alloc(pad);
    if (pad) {
      extra.writeUInt16LE(0x1986, 0);
      extra.writeUInt16LE(pad - 4, 2);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4); // version needed to extract: 1.0, as USD writes it
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01, so the bytes never depend on the clock
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(pad, 28);
    const head = Buffer.alloc(46);
    head.writeUInt32LE(0x02014b50, 0);
    head.writeUInt16LE(0, 4); // made by: MS-DOS, as USD writes it
    head.writeUInt16LE(10, 6);
    head.writeUInt16LE(0x21, 14);
    head.writeUInt32LE(crc, 16);
    head.writeUInt32LE(data.length, 20);
    head.writeUInt32LE(data.length, 24);
    head.writeUInt16LE(nameBytes.length, 28);
    head.writeUInt32LE(offset, 42);
    central.push(head, nameBytes);
    parts.push(local, nameBytes, extra, data);
    offset += 30 + nameBytes.length + pad + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

// ---- real USD, in its own processes (export-crate.cjs, readback.cjs) ----------------------------

/** Runs one of this folder's real-USD scripts with a JSON request on stdin; returns its `results`. */
function runUsd(script, request) {
  const r = spawnSync(process.execPath, [path.join(__dirname, script), '--stdin'], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 5 * 60_000,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${script} exited with ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout).results;
}

/** Writes each `dir/<name>.<ext>` from `dir/<name>.usda` with real USD's crate writer, then removes the text. */
function exportCrates(jobs) {
  const results = runUsd('export-crate.cjs', {
    exports: jobs.map(({ dir, name, ext }) => ({ root: path.join(dir, `${name}.usda`), out: path.join(dir, `${name}.${ext}`) })),
  });
  jobs.forEach(({ dir, name, ext }, i) => {
    const r = results[i];
    if (!r.ok) throw new Error(`real USD could not export ${path.join(dir, `${name}.${ext}`)}: ${r.errors.join('; ')}`);
    fs.rmSync(path.join(dir, `${name}.usda`));
  });
  return results.map((r) => r.version);
}

/** A flattened stage without its header, its root prim's children sorted (composition may order them differently). */
function canonical(flat) {
  const lines = flat.slice(flat.indexOf('\ndef ')).split('\n');
  const head = [];
  const children = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^ {4}(def|over|class) /.test(lines[i])) {
      head.push(lines[i]);
      continue;
    }
    const end = lines.indexOf('    }', i);
    children.push(lines.slice(i, end + 1).join('\n'));
    i = end;
  }
  return [...head, ...children.sort()].join('\n');
}

// ---- the forms ----------------------------------------------------------------------------------

const write = (file, data) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
};

function main(out) {
  const sample = readSample();
  const forms = [];
  const form = (character, encoding, root, files, extra = {}) =>
    forms.push({ id: `${character}.${encoding}`, character, encoding, root, files, ...extra });

  // Text first: the sample, (b) in one file, and every composed layout with its asset paths per encoding.
  const faceText = write(path.join(out, 'single/usda/face.usda'), sample.text);
  const variantsText = write(path.join(out, 'variants/usda/character.usda'), variantsInline(sample));
  const crates = [];
  const layouts = [];
  for (const ext of ['usda', 'usdc', 'usd']) {
    if (ext !== 'usda') {
      write(path.join(out, 'single', ext, 'face.usda'), sample.text);
      crates.push({ dir: path.join(out, 'single', ext), name: 'face', ext });
    }
    for (const [character, c] of Object.entries(composedLayers(sample, ext))) {
      const dir = path.join(out, character, ext === 'usda' ? 'usda-files' : ext);
      for (const [name, text] of Object.entries(c.layers)) write(path.join(dir, name), text);
      if (ext !== 'usda') crates.push(...c.crate.map((name) => ({ dir, name, ext })));
      layouts.push({ character, ext, dir, root: c.root });
    }
  }
  const versions = new Set(exportCrates(crates));

  // The forms, in the order the manifest lists them: the sample first (the stage every form must equal).
  form('single', 'usda', faceText, [faceText]);
  for (const ext of ['usdc', 'usd'])
    form('single', ext, path.join(out, 'single', ext, `face.${ext}`), [path.join(out, 'single', ext, `face.${ext}`)]);
  const singleZ = write(
    path.join(out, 'single/usdz/face.usdz'),
    zip([['face.usdc', fs.readFileSync(path.join(out, 'single/usdc/face.usdc'))]]),
  );
  form('single', 'usdz', singleZ, [singleZ], { entries: ['face.usdc'] });
  form('variants', 'usda', variantsText, [variantsText]);
  for (const { character, ext, dir, root } of layouts) {
    const files = fs
      .readdirSync(dir)
      .sort()
      .map((f) => path.join(dir, f));
    // (b)'s text original is the one-file form above; its many-file text layout is a form of its own.
    form(character, ext === 'usda' && character === 'variants' ? 'usda-files' : ext, path.join(dir, root), files);
    if (ext === 'usdc') {
      const pkg = path.join(out, character, 'usdz', 'character.usdz');
      const entries = [root, ...files.map((f) => path.basename(f)).filter((f) => f !== root)];
      write(pkg, zip(entries.map((f) => [f, fs.readFileSync(path.join(dir, f))])));
      form(character, 'usdz', pkg, [pkg], { entries });
    }
  }

  // Every form opens in real USD with no error and flattens to the sample's stage (children in any order):
  // the composed characters select the full face by default.
  const opened = runUsd('readback.cjs', { stages: forms.map((f) => ({ root: f.root, others: f.files, flatten: true })) });
  const sampleStage = canonical(opened[0].flattened ?? '');
  forms.forEach((f, i) => {
    const r = opened[i];
    if (!r.ok || !r.flattened) throw new Error(`real USD could not open ${f.root}: ${r.errors.join('; ')}`);
    f.sameStageAsSample = canonical(r.flattened) === sampleStage;
  });

  const bad = makeBad(path.join(out, 'bad'), sample, path.join(out, 'single/usdc/face.usdc'));
  return { sample: SAMPLE, crateVersions: [...versions], forms, bad };
}

/** Characters the toolkit must refuse, one file (or folder) per case. */
function makeBad(dir, sample, crate) {
  const bytes = fs.readFileSync(crate);
  const badMagic = Buffer.from(bytes);
  badMagic.write('PXR-USDX', 0, 'latin1');
  const badVersion = Buffer.from(bytes);
  badVersion.set([9, 0, 0], 8); // crate 9.0.0: a major version no USD has written
  const b = (n) => sample.blocks.get(n);
  const cycleA = [...HEADER('Character', DOC).slice(0, -2), '    subLayers = [', '        @./cycle_b.usda@', '    ]', ')', ''];
  const cycleB = ['#usda 1.0', '(', '    subLayers = [', '        @./cycle_a.usda@', '    ]', ')', ''];
  const split = composedLayers(sample, 'usda').split.layers;
  /** Writes several layers into one folder and returns the first (the root). */
  const set = (folder, layers) => Object.entries(layers).map(([name, text]) => write(path.join(dir, folder, name), text))[0];
  const cycleBody = layer('def SkelRoot', 'Character', [], [b('Skel'), b('Face')])
    .split('\n')
    .slice(HEADER('', '').length);
  return {
    badMagic: write(path.join(dir, 'bad-magic.usdc'), badMagic),
    badVersion: write(path.join(dir, 'bad-version.usdc'), badVersion),
    truncated: write(path.join(dir, 'truncated.usdc'), bytes.subarray(0, Math.floor(bytes.length / 2))),
    notZip: write(path.join(dir, 'not-a-zip.usdz'), Buffer.from('PK\x03\x04 this package was cut short by a failed copy\n', 'latin1')),
    unaligned: write(path.join(dir, 'unaligned.usdz'), zip([['face.usdc', bytes]], { align: 1 })),
    // The asset layer of (a) without the payloaded geometry file next to it.
    missingPayload: set('missing', { 'character.usda': split['character.usda'], 'skeleton.usda': split['skeleton.usda'] }),
    cycle: set('cycle', { 'cycle_a.usda': [...cycleA, ...cycleBody].join('\n'), 'cycle_b.usda': cycleB.join('\n') }),
    // (a) published as an instance: its Skeleton and skinned meshes would live in a shared prototype.
    instanced: set('instanced', {
      'character.usda': split['character.usda'].replace('    kind = "component"\n', '    instanceable = true\n    kind = "component"\n'),
      'skeleton.usda': split['skeleton.usda'],
      'geometry.usda': split['geometry.usda'],
    }),
    // (a)'s meshes alone: skinned to a Skeleton that no layer defines.
    noSkeleton: set('no-skeleton', {
      'character.usda': layer('def SkelRoot', 'Character', ['kind = "component"', 'prepend payload = @./geometry.usda@'], []),
      'geometry.usda': split['geometry.usda'],
    }),
  };
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node test/usd/make-composed-characters.cjs OUT_DIR');
  process.exit(2);
}
process.stdout.write(JSON.stringify(main(path.resolve(out)), null, 2) + '\n');
