/*
 * phonemize: speak a line with the espeak-ng C API and write what was said, when.
 *
 *   phonemize [-v VOICE] [-s WPM] [-p PITCH] [--lead MS] [--tail MS] [--raw]
 *             -w OUT.wav -j OUT.json [--] TEXT...        (TEXT "-" or none: stdin)
 *
 * OUT.wav: mono 16-bit PCM at espeak-ng's own rate (22050 Hz), with LEAD and TAIL ms of digital
 * silence around the speech. OUT.json: the phoneme timeline ("lipsync-eval.timeline/1", described in
 * docs/lipsync-eval.md): each phoneme's start and end in seconds from espeakEVENT_PHONEME's sample
 * position, the words, and the primary/secondary stress espeak-ng gave each vowel (read from its
 * phoneme trace, where a ' or , mark precedes the stressed vowel).
 *
 * Stops: espeak-ng stamps a stop at its release; the closure (silence) before it is rendered at the
 * end of the phoneme before. A mouth is shut during the closure, so the stop takes that quiet run
 * (unless --raw): see widen_stops().
 *
 * Rates above 450 wpm are refused: espeak-ng 1.51 time-stretches such speech with libsonic after
 * stamping its events, so the stamps would no longer match the audio.
 *
 * Built by tools/lipsync/src/phonemizer.ts (cc -O2 phonemize.c -lespeak-ng); needs libespeak-ng-dev.
 */
#include <espeak-ng/speak_lib.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One phoneme as espeak-ng reported it, and the stress we found for it in the trace. */
typedef struct {
  char name[9];
  long sample;   /* event position in the speech (no lead) */
  long begin;    /* start after closure widening */
  int ms;        /* espeak-ng's own millisecond stamp */
  long word;     /* index of the word it belongs to, -1 before the first */
  int stress;    /* 1 primary, 2 secondary, 0 none */
} Phone;

typedef struct {
  long sample;
  int pos, len; /* 1-based character position and length in the text */
} Word;

typedef struct {
  void *items;
  size_t n, cap, size;
} Vec;

static Vec audio = {0, 0, 0, sizeof(int16_t)};
static Vec phones = {0, 0, 0, sizeof(Phone)};
static Vec words = {0, 0, 0, sizeof(Word)};
static size_t mismatched;

static void *push(Vec *v, size_t count) {
  if (v->n + count > v->cap) {
    size_t cap = v->cap ? v->cap : 1024;
    while (cap < v->n + count) cap *= 2;
    void *p = realloc(v->items, cap * v->size);
    if (!p) {
      fputs("phonemize: out of memory\n", stderr);
      exit(2);
    }
    v->items = p;
    v->cap = cap;
  }
  void *at = (char *)v->items + v->n * v->size;
  v->n += count;
  return at;
}

static int rate_hz;

static int collect(short *wav, int count, espeak_EVENT *ev) {
  if (wav && count > 0) memcpy(push(&audio, (size_t)count), wav, (size_t)count * sizeof(int16_t));
  for (; ev && ev->type != espeakEVENT_LIST_TERMINATED; ev++) {
    if (ev->type == espeakEVENT_SAMPLERATE) continue;
    long ms = (long)((double)ev->sample * 1000.0 / rate_hz);
    if (ev->sample < 0 || labs(ms - ev->audio_position) > 1) mismatched++;
    if (ev->type == espeakEVENT_WORD) {
      Word *w = push(&words, 1);
      w->sample = ev->sample;
      w->pos = ev->text_position;
      w->len = ev->length;
    } else if (ev->type == espeakEVENT_PHONEME) {
      Phone *p = push(&phones, 1);
      memset(p, 0, sizeof *p);
      strncpy(p->name, ev->id.string, 8); /* 8 bytes, not always terminated */
      p->sample = p->begin = ev->sample;
      p->ms = ev->audio_position;
      p->word = (long)words.n - 1;
    }
  }
  return 0;
}

/* Mean square of samples [a, b). */
static double power(const int16_t *s, long a, long b) {
  double e = 0;
  for (long i = a; i < b; i++) e += (double)s[i] * s[i];
  return b > a ? e / (double)(b - a) : 0;
}

static int is_stop(const char *name) {
  static const char *const list[] = {"p", "b", "t", "d", "k", "g", "tS", "dZ", "t#", "t2", "d#", "t[", "d[", "?"};
  for (size_t i = 0; i < sizeof list / sizeof *list; i++)
    if (!strcmp(name, list[i])) return 1;
  return 0;
}

/*
 * A stop starts where the quiet run before its event starts: 5 ms blocks more than 25 dB below the
 * loudest 5 ms block of the line (not only digital zeros: voice variants leave breath in a closure).
 * The run is taken only if it is at least 10 ms; it reaches back at most 80 ms and leaves the phoneme
 * before at least 10 ms (counted from that phoneme's own event). Returns how many stops moved.
 */
static size_t widen_stops(const int16_t *s, long n, int rate) {
  long block = rate / 200;
  double loudest = 0;
  for (long a = 0; a + block <= n; a += block) {
    double e = power(s, a, a + block);
    if (e > loudest) loudest = e;
  }
  double quiet = loudest * 0.00316;
  Phone *ph = phones.items;
  size_t moved = 0;
  for (size_t k = 0; k < phones.n; k++) {
    long ev = ph[k].sample;
    if (!is_stop(ph[k].name) || ev > n) continue;
    long floor_at = k ? ph[k - 1].sample + rate / 100 : 0;
    long limit = ev - (long)rate * 80 / 1000;
    if (limit < floor_at) limit = floor_at;
    long at = ev;
    while (at - block >= limit && power(s, at - block, at) < quiet) at -= block;
    if (ev - at >= 2 * block) {
      ph[k].begin = at;
      moved++;
    }
  }
  return moved;
}

/*
 * espeak-ng's phoneme trace spells each word as its phonemes with a ' (primary) or , (secondary) mark
 * before the stressed vowel. Walk it along the events: each event's name is looked for a few
 * characters ahead; the mark right before the match is its stress. Names the trace lacks (pauses,
 * allophones chosen later) leave the walk where it was.
 */
static void read_stress(const char *trace) {
  Phone *ph = phones.items;
  size_t at = 0, len = strlen(trace);
  for (size_t k = 0; k < phones.n; k++) {
    const char *name = ph[k].name;
    size_t nl = strlen(name);
    if (!nl || name[0] == '_') continue;
    for (size_t p = at; p < len && p < at + 12; p++) {
      if (strncmp(trace + p, name, nl) != 0) continue;
      if (p > at && trace[p - 1] == '\'') ph[k].stress = 1;
      else if (p > at && trace[p - 1] == ',') ph[k].stress = 2;
      at = p + nl;
      break;
    }
  }
}

static void le(FILE *f, uint32_t v, int n) {
  for (int i = 0; i < n; i++) fputc((int)((v >> (8 * i)) & 0xff), f);
}

static int save_wav(const char *file, const int16_t *s, size_t n, int rate) {
  FILE *f = fopen(file, "wb");
  if (!f) {
    fprintf(stderr, "phonemize: cannot write %s: %s\n", file, strerror(errno));
    return -1;
  }
  fputs("RIFF", f);
  le(f, (uint32_t)(36 + 2 * n), 4);
  fputs("WAVEfmt ", f);
  le(f, 16, 4);
  le(f, 1, 2); /* PCM */
  le(f, 1, 2); /* mono */
  le(f, (uint32_t)rate, 4);
  le(f, (uint32_t)rate * 2, 4);
  le(f, 2, 2);
  le(f, 16, 2);
  fputs("data", f);
  le(f, (uint32_t)(2 * n), 4);
  for (size_t i = 0; i < n; i++) le(f, (uint16_t)s[i], 2);
  return fclose(f);
}

/* A JSON string of at most max bytes of s; control characters escaped, UTF-8 kept. */
static void json_str(FILE *f, const char *s, size_t max) {
  fputc('"', f);
  for (size_t i = 0; i < max && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* Byte offset of the 1-based UTF-8 character position pos in text. */
static size_t char_offset(const char *text, int pos) {
  size_t b = 0;
  for (int c = 1; text[b] && c < pos; c++) {
    b++;
    while (((unsigned char)text[b] & 0xc0) == 0x80) b++;
  }
  return b;
}

static void usage(void) {
  fputs("usage: phonemize [-v VOICE] [-s WPM] [-p PITCH] [--lead MS] [--tail MS] [--raw] -w OUT.wav -j OUT.json [--] TEXT...\n"
        "  VOICE: an espeak-ng voice, e.g. en-us, en+f3, en-gb-x-rp, de (default en-us); WPM 80..450 (default 175)\n",
        stderr);
  exit(2);
}

static char *slurp(FILE *in) {
  Vec v = {0, 0, 0, 1};
  int c;
  while ((c = fgetc(in)) != EOF) *(char *)push(&v, 1) = (char)c;
  *(char *)push(&v, 1) = 0;
  return v.items;
}

int main(int argc, char **argv) {
  const char *voice = "en-us", *wav_file = NULL, *json_file = NULL;
  int wpm = 175, pitch = -1, lead_ms = 0, tail_ms = 0, raw = 0, a = 1;
  for (; a < argc; a++) {
    const char *opt = argv[a];
    if (!strcmp(opt, "--")) {
      a++;
      break;
    }
    if (opt[0] != '-' || !opt[1]) break;
    if (!strcmp(opt, "--raw")) {
      raw = 1;
      continue;
    }
    if (a + 1 >= argc) usage();
    const char *val = argv[++a];
    if (!strcmp(opt, "-v")) voice = val;
    else if (!strcmp(opt, "-s")) wpm = atoi(val);
    else if (!strcmp(opt, "-p")) pitch = atoi(val);
    else if (!strcmp(opt, "-w")) wav_file = val;
    else if (!strcmp(opt, "-j")) json_file = val;
    else if (!strcmp(opt, "--lead")) lead_ms = atoi(val);
    else if (!strcmp(opt, "--tail")) tail_ms = atoi(val);
    else usage();
  }
  if (!wav_file || !json_file || lead_ms < 0 || tail_ms < 0) usage();
  if (wpm < espeakRATE_MINIMUM || wpm > espeakRATE_MAXIMUM) {
    fprintf(stderr, "phonemize: %d wpm is outside %d..%d (above it the audio no longer matches the events)\n", wpm,
            espeakRATE_MINIMUM, espeakRATE_MAXIMUM);
    return 2;
  }

  char *text;
  if (a >= argc || (a == argc - 1 && !strcmp(argv[a], "-"))) {
    text = slurp(stdin);
  } else {
    size_t n = 1;
    for (int k = a; k < argc; k++) n += strlen(argv[k]) + 1;
    text = calloc(n, 1);
    for (int k = a; k < argc; k++) {
      if (k > a) strcat(text, " ");
      strcat(text, argv[k]);
    }
  }
  size_t tlen = strlen(text);
  while (tlen && (text[tlen - 1] == '\n' || text[tlen - 1] == '\r')) text[--tlen] = 0;
  if (!tlen) {
    fputs("phonemize: no text to speak\n", stderr);
    return 2;
  }

  rate_hz = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_DONT_EXIT);
  if (rate_hz <= 0) {
    fputs("phonemize: espeak_Initialize failed (is espeak-ng-data installed?)\n", stderr);
    return 1;
  }
  espeak_SetSynthCallback(collect);
  if (espeak_SetVoiceByName(voice) != EE_OK) {
    fprintf(stderr, "phonemize: espeak-ng has no voice '%s' (espeak-ng --voices lists them)\n", voice);
    return 1;
  }
  espeak_SetParameter(espeakRATE, wpm, 0);
  if (pitch >= 0) espeak_SetParameter(espeakPITCH, pitch, 0);
  char *trace = NULL;
  size_t trace_len = 0;
  FILE *tf = open_memstream(&trace, &trace_len);
  espeak_SetPhonemeTrace(espeakPHONEMES_SHOW, tf);
  if (espeak_Synth(text, tlen + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, NULL) != EE_OK || espeak_Synchronize() != EE_OK) {
    fputs("phonemize: espeak-ng failed to synthesize the text\n", stderr);
    return 1;
  }
  espeak_SetPhonemeTrace(0, NULL);
  fclose(tf);
  const char *version = espeak_Info(NULL);
  espeak_Terminate();

  const int16_t *speech = audio.items;
  long n = (long)audio.n;
  size_t moved = raw ? 0 : widen_stops(speech, n, rate_hz);
  read_stress(trace ? trace : "");
  for (size_t k = 0; k < phones.n; k++) {
    Phone *p = (Phone *)phones.items + k;
    if (p->sample > n) mismatched++;
  }
  if (mismatched) fprintf(stderr, "phonemize: warning: %zu events whose sample and millisecond stamps disagree or lie outside the audio\n", mismatched);

  long lead = (long)lead_ms * rate_hz / 1000, tail = (long)tail_ms * rate_hz / 1000, total = lead + n + tail;
  int16_t *out = calloc((size_t)(total ? total : 1), sizeof *out);
  if (n) memcpy(out + lead, speech, (size_t)n * sizeof *out);
  if (save_wav(wav_file, out, (size_t)total, rate_hz) != 0) return 1;

  FILE *f = fopen(json_file, "w");
  if (!f) {
    fprintf(stderr, "phonemize: cannot write %s: %s\n", json_file, strerror(errno));
    return 1;
  }
  double r = rate_hz;
  const char *base = strrchr(wav_file, '/');
  base = base ? base + 1 : wav_file;
  char source[96];
  snprintf(source, sizeof source, "espeak-ng %s", version ? version : "?");
  fputs("{\n  \"format\": \"lipsync-eval.timeline/1\",\n  \"source\": ", f);
  json_str(f, source, sizeof source);
  fputs(",\n  \"tool\": \"@a2f/lipsync phonemize\",\n  \"text\": ", f);
  json_str(f, text, tlen);
  fputs(",\n  \"voice\": ", f);
  json_str(f, voice, strlen(voice));
  fprintf(f, ",\n  \"rate_wpm\": %d,\n  \"pitch\": %d,\n  \"sample_rate\": %d,\n  \"wav\": ", wpm, pitch, rate_hz);
  json_str(f, base, strlen(base));
  fprintf(f, ",\n  \"num_samples\": %ld,\n  \"duration\": %.6f,\n", total, total / r);
  fprintf(f, "  \"speech_start\": %.6f,\n  \"speech_end\": %.6f,\n", lead / r, (lead + n) / r);
  fprintf(f, "  \"lead_ms\": %d,\n  \"tail_ms\": %d,\n", lead_ms, tail_ms);
  fprintf(f, "  \"stop_closures\": \"%s\",\n  \"stops_moved\": %zu,\n", raw ? "raw" : "closure-included", moved);
  fputs("  \"phoneme_string\": \"", f);
  for (size_t i = 0; i < trace_len; i++) {
    char c = trace[i];
    if (c == '\n') {
      if (i + 1 < trace_len) fputs(" | ", f);
    } else if (c == '"' || c == '\\') {
      fprintf(f, "\\%c", c);
    } else if ((unsigned char)c >= 0x20) {
      fputc(c, f);
    }
  }
  fputs("\",\n  \"words\": [", f);
  Word *w = words.items;
  for (size_t i = 0; i < words.n; i++) {
    size_t from = char_offset(text, w[i].pos), to = char_offset(text, w[i].pos + w[i].len);
    fprintf(f, "%s\n    {\"i\": %zu, \"start\": %.6f, \"text\": ", i ? "," : "", i, (lead + w[i].sample) / r);
    json_str(f, text + from, to - from);
    fprintf(f, ", \"text_pos\": %d}", w[i].pos);
  }
  fputs("\n  ],\n  \"phonemes\": [", f);
  Phone *ph = phones.items;
  for (size_t k = 0; k < phones.n; k++) {
    long end = k + 1 < phones.n ? ph[k + 1].begin : n;
    fprintf(f, "%s\n    {\"i\": %zu, \"ph\": ", k ? "," : "", k);
    json_str(f, ph[k].name, 8);
    fprintf(f, ", \"start\": %.6f, \"end\": %.6f, \"event\": %.6f, \"word\": %ld, \"sample\": %ld, \"audio_ms\": %d, \"stress\": %d}",
            (lead + ph[k].begin) / r, (lead + end) / r, (lead + ph[k].sample) / r, ph[k].word, ph[k].sample, ph[k].ms, ph[k].stress);
  }
  fputs("\n  ]\n}\n", f);
  if (fclose(f) != 0) return 1;
  fprintf(stderr, "phonemize: espeak-ng %s, %s at %d wpm: %zu phonemes, %zu words, %.3f s at %d Hz\n", version ? version : "?", voice, wpm,
          phones.n, words.n, total / r, rate_hz);
  free(out);
  free(text);
  free(trace);
  return 0;
}
