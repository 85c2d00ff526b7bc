#!/usr/bin/env bash
# Regenerates the committed dialogue lines in this folder.
#
# Needs (Debian/Ubuntu): apt-get install sox libsox-fmt-all espeak-ng lame
# CI does not have these tools: the outputs are committed and tests only read them.
#
# Determinism: fixed voice, speed, pitch and amplitude; sox runs with -R (fixed random
# seed) and -D (no dither, so padded silence stays digital zero); --comment "" on each
# output stops sox writing its "Processed by SoX" tag into FLAC/Ogg/MP3. Running this twice gives
# byte-identical files with the tool versions listed in ../README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

VOICE=en-us
SPEED=150   # words per minute
PITCH=50
AMPLITUDE=100
LEAD=0.3    # seconds of digital silence before and after the speech
SOX=(sox -R -D)
NOTAG=(--comment "")  # output-file option: no "Processed by SoX" comment

# speak NAME TEXT: espeak-ng's native 22.05 kHz mono 16-bit, with its own leading and
# trailing silence cut and exactly $LEAD s of zeros padded back, peak normalised to -3 dBFS.
speak() {
  espeak-ng -v "$VOICE" -s "$SPEED" -p "$PITCH" -a "$AMPLITUDE" -z -w "$tmp/$1.raw.wav" "$2"
  "${SOX[@]}" "$tmp/$1.raw.wav" "${NOTAG[@]}" "$tmp/$1.wav" \
    silence 1 0.005 0.02% reverse silence 1 0.005 0.02% reverse \
    gain -n -3 pad "$LEAD" "$LEAD"
}

line01="Hello there! How are you doing today?"
line02="Papa bought a bomb, mama!"
line03="Who knew you would move to the moon?"
line04="Five fine fish flew over the village."
line05="We each eat cheese by the sea."

speak line01 "$line01"
speak line02 "$line02"
speak line03 "$line03"
speak line04 "$line04"
speak line05 "$line05"

# 22.05 kHz mono PCM16, plain WAVE_FORMAT_PCM header (espeak's native format).
"${SOX[@]}" "$tmp/line01.wav" "${NOTAG[@]}" -t wavpcm -b 16 "$here/line01_hello.wav"

# 48 kHz stereo 24-bit: sox writes WAVE_FORMAT_EXTENSIBLE for >16-bit samples. The right
# channel is 2 dB quieter so the file is genuinely stereo (a mixdown is exercised).
"${SOX[@]}" "$tmp/line02.wav" "${NOTAG[@]}" -b 24 -c 2 "$here/line02_papa.wav" remix 1 1v0.794 rate -v 48000

# 44.1 kHz mono 16-bit FLAC.
"${SOX[@]}" "$tmp/line03.wav" "${NOTAG[@]}" -b 16 "$here/line03_who_knew.flac" rate -v 44100

# 44.1 kHz mono CBR 128 kbps MP3 with a LAME/Info tag (encoder delay + padding). lame,
# not sox: sox 14.4.2 writes no LAME tag, and the decoder needs the tag to trim exactly.
"${SOX[@]}" "$tmp/line04.wav" "${NOTAG[@]}" -b 16 "$tmp/line04_44k.wav" rate -v 44100
lame --quiet --cbr -b 128 -q 2 --noreplaygain "$tmp/line04_44k.wav" "$here/line04_mp3.mp3"

# 48 kHz stereo Ogg Vorbis, quality 5; right channel 2 dB quieter as in line02.
"${SOX[@]}" "$tmp/line05.wav" "${NOTAG[@]}" -C 5 -c 2 "$here/line05_ogg.ogg" remix 1 1v0.794 rate -v 48000

cat >"$here/lines.txt" <<EOF
line01_hello.wav	$line01
line02_papa.wav	$line02
line03_who_knew.flac	$line03
line04_mp3.mp3	$line04
line05_ogg.ogg	$line05
EOF
