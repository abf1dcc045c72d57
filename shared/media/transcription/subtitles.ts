/** SubRip and WebVTT from timed segments, in the layout OpenAI's `srt` and `vtt` transcripts use. */
export interface TimedText {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const clock = (seconds: number, separator: ',' | '.'): string => {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
};

export const renderSrt = (segments: readonly TimedText[]): string =>
  `${segments.map((s, i) => `${i + 1}\n${clock(s.start, ',')} --> ${clock(s.end, ',')}\n${s.text.trim()}\n`).join('\n')}\n`;

export const renderVtt = (segments: readonly TimedText[]): string =>
  `WEBVTT\n\n${segments.map((s) => `${clock(s.start, '.')} --> ${clock(s.end, '.')}\n${s.text.trim()}\n`).join('\n')}\n`;
