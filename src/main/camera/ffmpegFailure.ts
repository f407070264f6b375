/** Where an ffmpeg camera reads from. */
export type CameraInput =
  | {
      kind: 'v4l2';
      /** e.g. /dev/video0 */
      device: string;
      frameRateHz: number;
      /** V4L2 pixel format to ask for, e.g. 'mjpeg' (needed by many USB cameras above 640×480 at 30 Hz). */
      inputFormat?: string;
    }
  | { kind: 'url'; url: string }
  | { kind: 'file'; path: string; loop?: boolean };

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  framesDelivered: number;
}

/** Hides the password of rtsp://user:password@host URLs in messages. */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]*@/gi, '$1:***@');
}

export function describeInput(input: CameraInput): string {
  switch (input.kind) {
    case 'v4l2':
      return `camera ${input.device}`;
    case 'url':
      return `camera stream ${redactUrl(input.url)}`;
    case 'file':
      return `video file ${input.path}`;
  }
}

const NETWORK_TROUBLE =
  /Connection refused|timed out|Connection timeout|resolve|Name or service not known|unreachable|No route to host|Server returned|Connection reset|End of file|I\/O error|Input\/output error/i;

/** A stderr line without ffmpeg's "[demuxer @ 0x55…] " and "<input>: " prefixes, passwords hidden. */
function tidyLine(input: CameraInput, line: string): string {
  const source = input.kind === 'v4l2' ? input.device : input.kind === 'url' ? input.url : input.path;
  let message = line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim();
  if (message.startsWith(`${source}: `)) message = message.slice(source.length + 2);
  return redactUrl(message);
}

/** The most telling stderr line: the last that looks like an error, else the last one. */
function telltaleLine(input: CameraInput, stderrLines: readonly string[]): string | undefined {
  const errorLike = /error|fail|refused|denied|busy|not found|no such|unable|invalid|timed out|returned|unreachable/i;
  const line = stderrLines.findLast((l) => errorLike.test(l)) ?? stderrLines.at(-1);
  return line === undefined ? undefined : tidyLine(input, line);
}

/** Why ffmpeg ended, in the operator's words, from its exit and its last stderr lines. */
export function describeFfmpegFailure(
  input: CameraInput,
  stderrLines: readonly string[],
  { code, signal, framesDelivered }: FfmpegExit,
): string {
  const text = stderrLines.join('\n');
  const what = describeInput(input);
  const detail = telltaleLine(input, stderrLines);
  const prefix = framesDelivered > 0 ? `${what} stopped delivering: ` : '';

  if (input.kind === 'v4l2') {
    if (/Device or resource busy|EBUSY/i.test(text)) {
      return `${prefix}camera ${input.device} is busy — another program is using it; close it (browser, video call, another Coach) and start the camera again`;
    }
    if (/No such device\b|ENODEV/i.test(text)) return `camera ${input.device} disconnected — was it unplugged?`;
    if (/No such file or directory/i.test(text)) return `camera ${input.device} not found — is it plugged in?`;
    if (/Permission denied/i.test(text)) {
      return `no permission to open camera ${input.device} — add this user to the "video" group and log in again`;
    }
    if (/Not a video capture device|Inappropriate ioctl/i.test(text)) {
      return `${input.device} is not a video capture device — cameras often have two /dev/video nodes; try the other one`;
    }
  }
  if (input.kind === 'file' && framesDelivered === 0) {
    if (/No such file or directory/i.test(text)) return `video file ${input.path} not found`;
    if (/Permission denied/i.test(text)) return `video file ${input.path} is not readable (permission denied)`;
    if (/Invalid data found|moov atom not found|could not find codec|does not contain any stream/i.test(text)) {
      return `${input.path} is not a video ffmpeg can read${detail ? ` (${detail})` : ''}`;
    }
  }
  if (input.kind === 'url') {
    if (NETWORK_TROUBLE.test(text)) {
      // The first network complaint is the cause; later lines are consequences ("Input/output error").
      const cause = tidyLine(input, stderrLines.find((l) => NETWORK_TROUBLE.test(l)) ?? '');
      return framesDelivered > 0
        ? `${prefix}connection lost (${cause})`
        : `camera stream ${redactUrl(input.url)} unreachable: ${cause} — check the address and that the camera is on the network`;
    }
  }
  if (signal) return `${prefix}ffmpeg was killed (${signal})`;
  if (framesDelivered > 0 && code === 0) {
    return input.kind === 'file' && !input.loop
      ? `${what} ended (replay it with loop on to keep it going)`
      : `${prefix}stream ended`;
  }
  if (framesDelivered === 0 && code === 0) return `${what} delivered no frames (ffmpeg exited without error)`;
  return `${prefix}ffmpeg exited with code ${code}${detail ? `: ${detail}` : ''}`;
}
