/**
 * `npm run fixtures:video`: rewrites the committed H.264 pictures of the video simulators
 * (infra/local/simulators/openai-video/fixtures/, described in `fixtures/video-pictures.ts`). The simulators repeat
 * them for as long as a job asks, so the encoder (`fixtures/h264.ts`) runs only here and in the test that checks
 * the committed files are its output (test/unit/simulator-fixtures.test.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { VIDEO_FIXTURES_DIR, videoFixtures } from './fixtures/video-pictures.ts';

await mkdir(VIDEO_FIXTURES_DIR, { recursive: true });
for (const { path, bytes } of videoFixtures()) {
  await writeFile(path, bytes);
  console.log(`${path}: ${bytes.length} bytes`);
}
