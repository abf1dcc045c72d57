/**
 * What the media simulators answer with: embedding vectors, pictures, speech audio in the asked format, and
 * transcripts of measured audio. Deterministic per input, so tests can assert on them. The encoders are the
 * OpenAI media simulator's (real PNG, WAV, MP3, Ogg Opus, AAC and FLAC, generated locally).
 */
import { audioDuration } from '../../../../layers/core/media/formats/duration.ts';
import { wavFromPcm } from '../../../../layers/core/media/formats/wav.ts';
import { silentAac } from '../openai-media/encode/aac.ts';
import { silentFlac } from '../openai-media/encode/flac.ts';
import { silentMp3 } from '../openai-media/encode/mp3.ts';
import { silentOggOpus } from '../openai-media/encode/ogg-opus.ts';
import { promptPicture } from '../openai-media/encode/png.ts';
import { tonePcm } from '../openai-media/encode/tone.ts';

/** A stable 32-bit hash of a string (FNV-1a): tints pictures and seeds vectors. */
export const seedOf = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
};

/** The largest side the simulators draw (larger requests are clamped to it). */
const MAX_SIDE = 4096;

/** A real PNG for a prompt, `width`×`height` pixels. */
export const pictureFor = (prompt: string, width: number, height: number): Uint8Array =>
  new Uint8Array(promptPicture(Math.min(MAX_SIDE, Math.max(1, width)), Math.min(MAX_SIDE, Math.max(1, height)), seedOf(prompt)));

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

/** Whitespace-split word count: the simulators' token count for text (close enough to meter on). */
export const countTokens = (text: string): number => Math.max(1, text.trim().split(/\s+/).filter(Boolean).length);

/** Speech lasts about 60 ms per character, at least half a second. */
export const speechSeconds = (text: string, speed = 1): number => Math.max(0.5, (text.length * 0.06) / speed);

export type SimAudioFormat = 'mp3' | 'wav' | 'pcm' | 'flac' | 'opus' | 'aac';

export const AUDIO_CONTENT_TYPES: Readonly<Record<SimAudioFormat, string>> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
  flac: 'audio/flac',
  opus: 'audio/ogg',
  aac: 'audio/aac',
};

/** Real audio `seconds` long: a quiet tone for WAV and PCM (16-bit mono), valid silent frames otherwise. */
export const speechAudio = (format: SimAudioFormat, seconds: number, sampleRate = 24_000): Uint8Array => {
  switch (format) {
    case 'mp3':
      return new Uint8Array(silentMp3(seconds));
    case 'wav':
      return wavFromPcm(tonePcm(seconds, sampleRate), { sampleRate, channels: 1, bitsPerSample: 16 });
    case 'pcm':
      return new Uint8Array(tonePcm(seconds, sampleRate));
    case 'flac':
      return new Uint8Array(silentFlac(seconds));
    case 'opus':
      return new Uint8Array(silentOggOpus(seconds));
    case 'aac':
      return new Uint8Array(silentAac(seconds));
  }
};

export interface SimTranscript {
  readonly text: string;
  readonly seconds: number;
  readonly words: readonly { readonly word: string; readonly start: number; readonly end: number }[];
}

/**
 * A transcript for audio the simulator cannot understand: it says how long the audio was, with words spread
 * over that time. Audio whose length the bytes do not tell is undefined: the caller answers with its error.
 */
export const transcriptOf = (audio: Uint8Array, prompt?: string): SimTranscript | undefined => {
  const seconds = audioDuration(audio)?.seconds;
  if (seconds === undefined || !(seconds > 0)) return undefined;
  const rounded = Math.round(seconds * 100) / 100;
  const text = `${prompt ? `${prompt.trim()} ` : ''}Simulated transcript of ${rounded} seconds of audio.`;
  const tokens = text.split(' ');
  const step = seconds / tokens.length;
  const words = tokens.map((word, index) => ({ word, start: Number((index * step).toFixed(3)), end: Number(((index + 1) * step).toFixed(3)) }));
  return { text, seconds, words };
};
