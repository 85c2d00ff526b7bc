#!/usr/bin/env bash
# Regenerates the probe clips the default-model tests listen to (samples/probes/*.wav).
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox); CI does not run this, it
# reads the committed WAVs. Output: 16 kHz mono PCM16, speech peak-normalised to -3 dBFS and
# padded with 0.3 s of digital silence on each side so every clip starts and ends silent.
#
# espeak-ng is a formant synthesiser, not the Kokoro neural voices HeadAudio's prototypes were
# trained on, so these clips are a harder, honest test of the default model, not a flattering one.
set -euo pipefail
cd "$(dirname "$0")"

VOICE=en-us   # espeak-ng's American English voice (male formant voice)
SPEED=110     # words per minute: slow, so each vowel lasts several 30 fps frames

probe() {  # probe NAME TEXT
  local name=$1 text=$2 raw
  raw=$(mktemp --suffix=.wav)
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$raw" "$text"
  # -D: no dither, so the output is byte-for-byte reproducible and silence is exact zeros.
  # silence / reverse silence reverse: trim espeak's own leading and trailing silence.
  sox -D "$raw" -r 16000 -c 1 -b 16 -e signed-integer "$name.wav" \
    silence 1 0.005 0.1% reverse silence 1 0.005 0.1% reverse \
    gain -n -3 pad 0.3 0.3 rate -v 16000
  rm -f "$raw"
  echo "$name.wav: $(soxi -D "$name.wav") s"
}

probe ah    "Ah."      # open vowel: jaw open (viseme aa)
probe papa  "Papa."    # open vowels around voiceless bilabial closures (PP)
probe mama  "Mama."    # open vowels around voiced bilabial closures (PP)
probe oo    "Ooh."     # rounded close vowel (U)
probe who   "Who?"     # h + rounded vowel (U/O)
