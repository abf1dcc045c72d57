/** Speech specialists: Deepgram, ElevenLabs and Cartesia (text-to-speech and speech-to-text). */
import { perAudioMinute, perMillionCharacters } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { PRICING_PAGES } from './sources.ts';

const deepgram = { provider: 'deepgram', ownedBy: 'deepgram', pricingSource: PRICING_PAGES.deepgram, priceVerified: false } as const;
const elevenlabs = { provider: 'elevenlabs', ownedBy: 'elevenlabs', pricingSource: PRICING_PAGES.elevenlabs } as const;
const cartesia = { provider: 'cartesia', ownedBy: 'cartesia', pricingSource: PRICING_PAGES.cartesia } as const;

const AURA_2_VOICES = ['thalia', 'andromeda', 'helena', 'apollo', 'arcas', 'aries', 'asteria', 'luna', 'orion', 'zeus'];

export const SPEECH_VENDOR_MODELS: readonly CuratedModel[] = [
  {
    ...deepgram,
    modelId: 'nova-3',
    name: 'Deepgram Nova-3',
    family: 'nova-3',
    description: 'Deepgram\'s most accurate speech-to-text (pre-recorded audio).',
    createdAt: '2025-02-12',
    operations: [op('transcription', perAudioMinute(0.0043))],
    params: {
      smart_format: { type: 'boolean', default: true, description: 'Punctuation and formatting.' },
      diarize: { type: 'boolean', default: false, description: 'Label speakers (billed extra by Deepgram).' },
    },
    note: 'Pay-as-you-go pre-recorded rate; streaming is billed higher by Deepgram.',
  },
  {
    ...deepgram,
    modelId: 'aura-2',
    name: 'Deepgram Aura-2',
    family: 'aura',
    description: 'Low-latency text-to-speech for voice agents; the voice selects the Aura-2 voice model.',
    createdAt: '2025-04-15',
    operations: [op('speech', perMillionCharacters(30), { streamable: true })],
    params: { voice: { type: 'string', enum: AURA_2_VOICES, default: 'thalia', description: 'Aura-2 English voice.' } },
  },
  {
    ...deepgram,
    modelId: 'aura-1',
    name: 'Deepgram Aura',
    family: 'aura',
    description: 'First-generation Aura text-to-speech.',
    createdAt: '2024-02-01',
    operations: [op('speech', perMillionCharacters(15), { streamable: true })],
    params: { voice: { type: 'string', enum: ['asteria', 'luna', 'stella', 'athena', 'hera', 'orion', 'arcas', 'perseus'], default: 'asteria', description: 'Aura English voice.' } },
    curated: false,
  },
  {
    ...elevenlabs,
    modelId: 'eleven_multilingual_v2',
    name: 'ElevenLabs Multilingual v2',
    family: 'eleven-multilingual',
    description: 'Lifelike, expressive text-to-speech in 29 languages.',
    createdAt: '2023-08-22',
    operations: [op('speech', perMillionCharacters(100), { streamable: true })],
    params: { voice: { type: 'string', description: 'ElevenLabs voice id.' } },
    priceVerified: false,
  },
  {
    ...elevenlabs,
    modelId: 'eleven_flash_v2_5',
    name: 'ElevenLabs Flash v2.5',
    family: 'eleven-flash',
    description: 'Ultra-low-latency text-to-speech in 32 languages; half the price of Multilingual.',
    createdAt: '2024-12-05',
    operations: [op('speech', perMillionCharacters(50), { streamable: true })],
    params: { voice: { type: 'string', description: 'ElevenLabs voice id.' } },
    priceVerified: false,
  },
  {
    ...elevenlabs,
    modelId: 'scribe_v1',
    name: 'ElevenLabs Scribe v1',
    family: 'scribe',
    description: 'Speech-to-text in 99 languages with word timestamps and speaker diarization.',
    createdAt: '2025-02-26',
    operations: [op('transcription', perAudioMinute(0.00667))],
    priceVerified: true,
    note: 'ElevenLabs lists $0.40 per hour on its entry API tier (lower on larger plans).',
  },
  {
    ...cartesia,
    modelId: 'sonic-3',
    name: 'Cartesia Sonic 3',
    family: 'sonic',
    description: 'Expressive streaming text-to-speech with emotion and laughter controls in 40+ languages.',
    createdAt: '2025-10-01',
    operations: [op('speech', perMillionCharacters(50), { streamable: true })],
    params: { voice: { type: 'string', description: 'Cartesia voice id.' } },
    priceVerified: false,
    note: 'About 1 credit per character (Cartesia docs); $50 per 1M credits on the Pro plan.',
  },
  {
    ...cartesia,
    modelId: 'ink-whisper',
    name: 'Cartesia Ink Whisper',
    family: 'ink',
    description: 'Whisper-based speech-to-text tuned for conversational audio.',
    createdAt: '2025-06-01',
    operations: [op('transcription', perAudioMinute(0.0015))],
    priceVerified: false,
    note: 'Batch transcription costs 1 credit per 2 seconds of audio (Cartesia docs); $50 per 1M credits on the Pro plan.',
  },
];
