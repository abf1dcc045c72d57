/**
 * `npm run fixtures:video`: writes the pictures the video simulators mux into MP4s,
 * infra/local/simulators/openai-video/fixtures/<width>x<height>.h264, which are committed. Each file is an H.264
 * Annex B stream (4-byte start codes): SPS, PPS, then one second of IDR pictures at 4 fps, a colour gradient that
 * moves from picture to picture. The simulators repeat them for as long as a job asks, so the encoder
 * (`fixtures/h264.ts`) runs only here. Deterministic: rerunning it rewrites the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { idrPicture, pictureParameterSet, sequenceParameterSet } from './fixtures/h264.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'infra', 'local', 'simulators', 'openai-video', 'fixtures');
/** The thumbnail sizes `thumbnailSize()` picks: landscape, portrait, square. */
const SIZES = [
  { width: 64, height: 36 },
  { width: 36, height: 64 },
  { width: 48, height: 48 },
] as const;
const PICTURES = 4;
const START_CODE = Uint8Array.from([0, 0, 0, 1]);

await mkdir(OUT, { recursive: true });
for (const size of SIZES) {
  const pictures = Array.from({ length: PICTURES }, (_, i) =>
    idrPicture(size, i, {
      luma: (x, y) => 16 + ((x * 3 + y * 2 + i * 12) % 220),
      cb: (x) => 128 + 60 * Math.sin((x + i) / 4),
      cr: (_x, y) => 128 + 60 * Math.cos((y + i) / 4),
    }),
  );
  const units = [sequenceParameterSet(size), pictureParameterSet(), ...pictures];
  const file = join(OUT, `${size.width}x${size.height}.h264`);
  await writeFile(file, Buffer.concat(units.flatMap((unit) => [START_CODE, unit])));
  console.log(`${file}: ${units.length} NAL units`);
}
