/** One picture from a camera, as published on the FrameBus. */
export interface CameraFrame {
  camera: string;
  /** Increases by one per frame the source produced (gaps mean the source skipped frames). */
  seq: number;
  /** Wall-clock time (Date.now()) when the frame was complete in Coach. */
  capturedAtMs: number;
  widthPx: number;
  heightPx: number;
  format: 'rgb24' | 'jpeg';
  data: Uint8Array;
  /** The same picture at the policy's input size, RGB, where the source makes one cheaply (sim cameras). */
  policyRgb?: { widthPx: number; heightPx: number; data: Uint8Array };
}

export type CameraState = 'starting' | 'live' | 'stalled' | 'failed' | 'stopped';

export interface CameraStats {
  camera: string;
  /** Frames published during the last second. */
  fps: number;
  /** Time since the latest frame was published; null before the first frame. */
  lastFrameAgeMs: number | null;
  framesPublished: number;
  /** Frames each push consumer missed because it was still busy with an older one. */
  dropsByConsumer: Record<string, number>;
  state: CameraState;
  lastError: string | null;
}
