/**
 * What the media simulators answer with: embedding vectors, speech audio in the asked format, transcripts of
 * measured audio. Deterministic per input, so tests can assert on them.
 */
import { measureAudioSeconds } from '../../../../layers/providers/audio-duration.ts';
import { encodeFlac } from './flac.ts';
import { encodeMp3 } from './mp3.ts';
import { seedOf } from './png.ts';
import { encodeWav, pcmTone } from './wav.ts';

/** A unit-length vector seeded by the text: equal texts embed equally, different texts differently. */
export const embeddingFor = (text: string, dimensions: number): number[] => {
  let state = seedOf(text) || 1;
  const values = Array.from({ length: dimensions }, () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff) * 2 - 1;
  });
  const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0)) || 1;
  return values.map((value) => Number((value / norm).toFixed(6)));
};

/** Whitespace-split word count, the simulators' token count for text (providers differ; close enough to meter). */
export const countTokens = (text: string): number => Math.max(1, text.trim().split(/\s+/).filter(Boolean).length);

/** Speech lasts about 60 ms per character, at least half a second. */
export const speechSeconds = (text: string, speed = 1): number => Math.max(0.5, (text.length * 0.06) / speed);

export type SimAudioFormat = 'mp3' | 'wav' | 'pcm' | 'flac';

export const AUDIO_CONTENT_TYPES: Readonly<Record<SimAudioFormat, string>> = { mp3: 'audio/mpeg', wav: 'audio/wav', pcm: 'audio/pcm', flac: 'audio/flac' };

export const speechAudio = (format: SimAudioFormat, seconds: number, sampleRate?: number): Uint8Array => {
  switch (format) {
    case 'mp3':
      return encodeMp3(seconds);
    case 'wav':
      return encodeWav(seconds, sampleRate);
    case 'pcm':
      return pcmTone(seconds, sampleRate);
    case 'flac':
      return encodeFlac(seconds);
  }
};

export interface SimTranscript {
  readonly text: string;
  readonly seconds: number;
  readonly words: readonly { readonly word: string; readonly start: number; readonly end: number }[];
}

/**
 * A transcript for audio the simulator cannot understand: it says how long the audio was, with words spread
 * over that time. Unreadable audio (not WAV, FLAC or MP3) is undefined: the caller answers with its error.
 */
export const transcriptOf = (audio: Uint8Array, prompt?: string): SimTranscript | undefined => {
  const seconds = measureAudioSeconds(audio);
  if (seconds === undefined) return undefined;
  const rounded = Math.round(seconds * 100) / 100;
  const text = `${prompt ? `${prompt.trim()} ` : ''}Simulated transcript of ${rounded} seconds of audio.`;
  const tokens = text.split(' ');
  const step = seconds / tokens.length;
  const words = tokens.map((word, index) => ({ word, start: Number((index * step).toFixed(3)), end: Number(((index + 1) * step).toFixed(3)) }));
  return { text, seconds, words };
};
