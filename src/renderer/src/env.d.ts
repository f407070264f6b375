/// <reference types="vite/client" />
import type { CoachPreloadApi } from '../../shared/contract/ipcChannels';

declare global {
  interface Window {
    /** Present only inside the Electron shell (exposed by src/preload). */
    coach?: CoachPreloadApi;
  }
}
