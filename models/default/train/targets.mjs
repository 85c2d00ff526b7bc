// Articulator targets of the default model from a phoneme timeline: what the network is trained to
// output at each instant (models/README.md, "How the default model is trained").
//
// Each phoneme gets a target per articulator and a dominance (how strongly it holds that articulator
// against its neighbours); the curve is Cohen & Massaro's dominance-weighted blend (Cohen, M. M. &
// Massaro, D. W. 1993, "Modeling coarticulation in synthetic visual speech"): dominance is flat inside
// a segment and falls off exponentially outside it, faster after it (carry-over) than before it
// (anticipation), so lip rounding is anticipated across consonants that leave the lips free
// (Benguerel & Cowan 1974) while a p/b/m closure, with high dominance, is always reached.

export const ARTICULATORS = [
  'jawOpen',
  'lipClose',
  'lipRound',
  'lipFunnel',
  'lipSpread',
  'lipTuck',
  'tongueTip',
  'tongueDental',
  'burst',
  'accent',
  'voice',
];
const A = Object.fromEntries(ARTICULATORS.map((n, i) => [n, i]));

// Phoneme kinds: target values (unnamed articulators 0) and the dominance of the articulators that
// kind controls; the others get LOW dominance, so neighbours decide them.
const KINDS = {
  open: { t: { jawOpen: 0.7 }, strong: ['jawOpen', 'lipRound', 'lipSpread'] },
  openRound: { t: { jawOpen: 0.5, lipRound: 0.5, lipFunnel: 0.5 }, strong: ['jawOpen', 'lipRound', 'lipFunnel', 'lipSpread'] },
  mid: { t: { jawOpen: 0.4 }, strong: ['jawOpen'] },
  front: { t: { jawOpen: 0.35, lipSpread: 0.5 }, strong: ['jawOpen', 'lipSpread', 'lipRound'] },
  close: { t: { jawOpen: 0.2, lipSpread: 0.7 }, strong: ['jawOpen', 'lipSpread', 'lipRound'] },
  round: { t: { jawOpen: 0.2, lipRound: 0.8, lipFunnel: 0.3 }, strong: ['jawOpen', 'lipRound', 'lipFunnel', 'lipSpread'] },
  midRound: { t: { jawOpen: 0.35, lipRound: 0.6, lipFunnel: 0.4 }, strong: ['jawOpen', 'lipRound', 'lipFunnel', 'lipSpread'] },
  bilabial: { t: { jawOpen: 0.03, lipClose: 1 }, strong: ['jawOpen', 'lipClose', 'lipTuck'], hold: 2 },
  labiodental: { t: { jawOpen: 0.08, lipTuck: 1 }, strong: ['jawOpen', 'lipTuck', 'lipClose'], hold: 1.5 },
  dental: { t: { jawOpen: 0.15, tongueDental: 1 }, strong: ['tongueDental', 'tongueTip'] },
  alveolar: { t: { jawOpen: 0.15, tongueTip: 1 }, strong: ['tongueTip', 'tongueDental'] },
  sibilant: { t: { jawOpen: 0.08, lipSpread: 0.35 }, strong: ['jawOpen', 'tongueTip'] },
  postalveolar: { t: { jawOpen: 0.1, lipFunnel: 0.8, lipRound: 0.3 }, strong: ['jawOpen', 'lipFunnel', 'lipRound'] },
  rhotic: { t: { jawOpen: 0.15, lipRound: 0.35 }, strong: ['lipRound'] },
  glide: { t: { jawOpen: 0.15, lipRound: 0.8, lipFunnel: 0.3 }, strong: ['lipRound', 'lipFunnel'] },
  velar: { t: { jawOpen: 0.2 }, strong: [] },
  weak: { t: {}, strong: [] }, // h and glottal stops take their neighbours' shape
};

// Seconds over which a segment's dominance falls by e before it (anticipation) and after it
// (carry-over): contacts (closure, tuck, tongue) are brief gestures; the jaw is slower; lip rounding
// is anticipated furthest.
const REACH = {
  jawOpen: [0.04, 0.03],
  lipClose: [0.02, 0.015],
  lipRound: [0.08, 0.05],
  lipFunnel: [0.06, 0.04],
  lipSpread: [0.05, 0.04],
  lipTuck: [0.02, 0.015],
  tongueTip: [0.02, 0.015],
  tongueDental: [0.02, 0.015],
};
const STRONG = 1;
const LOW = 0.08;
const SILENCE_DOMINANCE = 0.6;

// espeak-ng mnemonics (English and the European voices used for variety), and festival's radio phones.
const TABLE = new Map();
const put = (kind, names) => {
  for (const n of names.split(' ')) TABLE.set(n, kind);
};
put('open', 'a a# a2 aa A: A@ A# A a: aI aI@ aI2 aI3 aU aU@ V 0 0# 02 aa ae ah aw ay a~');
put('openRound', 'O: O O@ O2 OI O~ ao oy');
put('mid', '@ @2 @5 @L @# 3 3: e@ IR VR ax er @- y# W~ 9 2');
put('front', 'E E2 E# e e# e: eI E: E~ eh ey e~');
put('close', 'i: i I I2 I# I2# i@ i@3 iy ih j');
put('round', 'u: U U@ u w# uw uh y y: y- Y u~ W:');
put('midRound', 'o@ o: oU oU# o ow o~ W');
put('bilabial', 'p b m');
put('labiodental', 'f v F f v');
put('dental', 'T D th dh');
put('alveolar', 't d n l t# t2 d# t[ d[ l/ l/2 n- L l^ n^ t d n l ll nn tt dd');
put('sibilant', 's z z# z/2 s z');
put('postalveolar', 'S Z tS dZ sh zh ch jh');
put('rhotic', 'r r- R R2 r/ rr r');
put('glide', 'w');
put('velar', 'k g N x C k g ng G Q');
put('weak', 'h ? hh B'); // B: Spanish's bilabial approximant, lips near but not closed

// A vowel holds every articulator (its lips and tongue are where it puts them); a consonant holds
// the ones it makes, keeps the lips apart and the tongue off the teeth at medium strength, and
// lets its neighbours decide jaw, rounding and spreading.
const CONTACTS = new Set(['lipClose', 'lipTuck', 'tongueTip', 'tongueDental']);
function dominance(kindName, kind, articulator) {
  if (kind === null) return SILENCE_DOMINANCE;
  if (kind.strong.includes(articulator)) return STRONG * (kind.hold ?? 1);
  if (VOWEL_KINDS.has(kindName)) return STRONG;
  return CONTACTS.has(articulator) ? 0.5 : LOW;
}

export const isPause = (ph) => ph === '' || ph.startsWith('_') || ph === '|' || ph === '||' || ph === 'pau' || ph === 'sil';
const VOWEL_KINDS = new Set(['open', 'openRound', 'mid', 'front', 'close', 'round', 'midRound']);

/** The articulation kind of one phoneme name (stress/length marks ignored); unknown names are `weak`. */
export function kindOf(ph) {
  const clean = ph.replace(/^['",%=]+/, '');
  return TABLE.get(clean) ?? TABLE.get(clean.replace(/[:#~0-9]+$/, '')) ?? 'weak';
}

/**
 * Which phonemes carry primary stress: espeak writes `'` before a stressed syllable in
 * `phoneme_string`; the first vowel after the mark is the accented one. Walks the string and the
 * phoneme list together; a name that cannot be found leaves the walk where it was.
 */
export function stressedVowels(timeline) {
  const s = timeline.phoneme_string ?? '';
  const out = new Set();
  let pos = 0;
  let pending = false;
  for (const [i, p] of timeline.phonemes.entries()) {
    if (isPause(p.ph)) continue;
    const at = s.indexOf(p.ph, pos);
    if (at < 0) continue;
    if (s.slice(pos, at).includes("'")) pending = true;
    pos = at + p.ph.length;
    if (pending && VOWEL_KINDS.has(kindOf(p.ph))) {
      out.add(i);
      pending = false;
    }
  }
  return out;
}

/**
 * Targets at `fps` for frames 0..count-1 (frame k at k/fps seconds): Float32Array count × 11.
 * `timeline`: { phonemes: [{ph, start, end, event?, stress?}], duration, phoneme_string? } (seconds); stress 1 marks
 * primary stress (else it is read from espeak's phoneme_string).
 */
export function articulatorTargets(timeline, fps, count) {
  const N = ARTICULATORS.length;
  const out = new Float32Array(count * N);
  const segs = [];
  let t = 0;
  const marked = timeline.phonemes.some((p) => p.stress !== undefined);
  const stressed = marked ? new Set(timeline.phonemes.flatMap((p, i) => (p.stress === 1 ? [i] : []))) : stressedVowels(timeline);
  timeline.phonemes.forEach((p, i) => {
    if (!(p.end > p.start)) return;
    if (p.start > t + 1e-6) segs.push({ start: t, end: p.start, kind: null });
    const kind = isPause(p.ph) ? null : kindOf(p.ph);
    // A stop's event marks its release (espeak-ng gives a voiceless stop its silent closure before it):
    // the lips are shut up to the release, and its aspiration after it takes the next sound's shape.
    const release = kind === 'bilabial' && p.event > p.start + 0.005 && p.event < p.end ? p.event : null;
    segs.push({ start: p.start, end: release ?? p.end, ph: p.ph, kind, accent: stressed.has(i), release: release ?? p.end });
    if (release !== null) segs.push({ start: release, end: p.end, ph: p.ph, kind: 'weak' });
    t = p.end;
  });
  segs.push({ start: t, end: Math.max(t, timeline.duration) + 10, kind: null });
  const num = new Float64Array(N);
  const den = new Float64Array(N);
  for (let k = 0; k < count; k++) {
    const time = k / fps;
    num.fill(0);
    den.fill(0);
    for (const s of segs) {
      const d = time < s.start ? s.start - time : time > s.end ? time - s.end : 0;
      if (d > 0.4) continue;
      const kind = s.kind === null ? null : KINDS[s.kind];
      for (let c = 0; c < 8; c++) {
        const name = ARTICULATORS[c];
        const [ahead, after] = REACH[name];
        const fall = d === 0 ? 1 : Math.exp(-d / (time < s.start ? ahead : after));
        const dom = dominance(s.kind, kind, name);
        const target = kind === null ? 0 : (kind.t[name] ?? 0);
        num[c] += dom * fall * target;
        den[c] += dom * fall;
      }
    }
    const row = out.subarray(k * N, (k + 1) * N);
    for (let c = 0; c < 8; c++) row[c] = den[c] > 0 ? num[c] / den[c] : 0;
    // burst: the release of p/b ± 30 ms; accent: the stressed vowel; voice: any phoneme.
    let burst = 0;
    let accent = 0;
    let voice = 0;
    for (const s of segs) {
      if (s.kind === null) continue;
      const inside = time >= s.start - 0.02 && time < s.end + 0.02;
      if (inside) voice = 1;
      if (s.accent && time >= s.start && time < s.end) accent = 1;
      if (s.kind === 'bilabial' && Math.abs(time - s.release) < 0.03 && !/m$/.test(s.ph)) burst = 1;
    }
    row[A.burst] = burst;
    row[A.accent] = accent;
    row[A.voice] = voice;
  }
  return out;
}
