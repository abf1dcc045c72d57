/**
 * The video simulators' committed H.264 pictures are what `npm run fixtures:video` writes, so an edit to the
 * encoder or the pictures cannot pass without regenerating them; and the MP4 built from them lasts as long as asked.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeMp4, thumbnailSize } from '../../infra/local/simulators/openai-video/mp4.ts';
import { mp4Seconds } from '../../layers/core/media/formats/containers.ts';
import { videoFixtures } from '../../scripts/fixtures/video-pictures.ts';

describe('the video simulator fixtures', () => {
  it.each(videoFixtures().map((f) => [f.path.split('/').at(-1)!, f] as const))('%s is the encoder output (else run npm run fixtures:video)', (_name, fixture) => {
    expect(readFileSync(fixture.path).equals(fixture.bytes)).toBe(true);
  });

  it.each([
    ['1280x720', 4],
    ['720x1280', 12],
    ['1024x1024', 3],
  ] as const)('an MP4 for %s lasts the %i seconds asked, its pictures repeated', (size, seconds) => {
    expect(mp4Seconds(makeMp4({ ...thumbnailSize(size), seconds }))).toBe(seconds);
  });
});
