import type { WorldSnapshot } from '../../../shared/sim/worldTypes';

export interface RenderView {
  /** The camera of the world to draw ('scene', 'wrist', …) and the camera name its frames are published under. */
  view: string;
  camera: string;
  widthPx: number;
  heightPx: number;
  fps: number;
  jpegQuality: number;
  /** A camera the policy takes also sends a smoothly downscaled RGB copy at that image's input size. */
  policyPx?: { widthPx: number; heightPx: number };
}

export type RenderWorkerInbound =
  { type: 'snapshot'; snapshot: WorldSnapshot } | { type: 'views'; views: RenderView[] };

export type RenderWorkerOutbound =
  | {
      type: 'frame';
      camera: string;
      seq: number;
      capturedAtMs: number;
      widthPx: number;
      heightPx: number;
      jpeg: Uint8Array;
      /** The policy's RGB copy (views with policyPx only). */
      policyRgb?: { widthPx: number; heightPx: number; data: Uint8Array };
      /** Time to draw and encode, or null when an unchanged picture was reused. */
      renderMs: number | null;
    }
  | { type: 'error'; camera: string; message: string };
