// Seeded pseudo-sentences for the default model's training speech (models/README.md, "How it is
// built"). English lines draw words from the CMU Pronouncing Dictionary that
// festival ships (festlex-cmu; public-domain-style BSD licence), read at build time and never
// committed; lines for other languages are made of consonant-vowel syllables that each espeak-ng
// voice pronounces by its own rules. Commas and full stops make the pauses the model must rest in.

import { readFileSync } from 'node:fs';

const CMU = '/usr/share/festival/dicts/cmu/cmudict-0.4.out';
let words = null;

function dictionary() {
  if (words) return words;
  let text;
  try {
    text = readFileSync(CMU, 'latin1');
  } catch {
    throw new Error(`${CMU} is missing: the training sentences draw words from it. Fix: apt-get install festlex-cmu`);
  }
  words = [];
  for (const m of text.matchAll(/^\("([a-z]{2,10})" /gm)) words.push(m[1]);
  return words;
}

// Function words are most of the words people say (and most English th: the, this, that, with), yet
// rare in a dictionary draw; one goes before 40 % of the drawn words.
const FUNCTION_WORDS = (
  'the the the a a an of to and in is it that this with for on as at by from be was were are they them ' +
  'then there these those their we you he she his her my our me us not but or so if when what which who will ' +
  'would could should have has had do does did up out over about into than both through'
).split(' ');

const ONSETS = ['p', 'b', 'm', 'f', 'v', 't', 'd', 'n', 'l', 's', 'z', 'k', 'g', 'r', 'ch', 'sh', 'j', 'w', 'pr', 'bl', 'tr', 'st', ''];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'o', 'ou', 'ai', 'au'];
const CODAS = ['', '', '', 'n', 'm', 's', 'l', 'r', 't', 'p'];

export function pseudoSentence(rand, foreign) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const n = 3 + Math.floor(rand() * 9);
  const out = [];
  for (let i = 0; i < n; i++) {
    let w;
    if (foreign) {
      const syl = 1 + Math.floor(rand() * 3);
      w = '';
      for (let s = 0; s < syl; s++) w += pick(ONSETS) + pick(VOWELS) + (s === syl - 1 ? pick(CODAS) : '');
    } else {
      const dict = dictionary();
      w = dict[Math.floor(rand() * dict.length)];
      if (rand() < 0.4) w = `${pick(FUNCTION_WORDS)} ${w}`;
    }
    out.push(w);
    if (i < n - 1 && rand() < 0.12) out[out.length - 1] += rand() < 0.7 ? ',' : '.';
  }
  const line = out.join(' ');
  return `${line[0].toUpperCase()}${line.slice(1)}${rand() < 0.2 ? '?' : '.'}`;
}
