import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CameraInfo, CameraSource } from '../../../shared/camera';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';
import { coachErrorText } from './coachErrorText';

/** The camera actions the console offers; each maps to one contract method. */
export type CameraAction = 'add' | 'remove' | 'setPolicyCamera';

/** A failed camera action as the operator sees it (label: "Add camera wrist2 (video file /tmp/a.mp4)"). */
export type CameraActionError = ActionError<CameraAction>;

/** The message of a thrown CoachError, in the operator's words (coachErrorText). */
export function cameraErrorOf(thrown: unknown): { code: string; message: string } {
  return coachErrorText(thrown, 'this version of Coach’s main process has no cameras service', ['unknown_method']);
}

/** Where a camera's frames come from, in a few words ("video file /tmp/a.mp4"). */
export function describeSource(source: CameraSource): string {
  switch (source.kind) {
    case 'sim':
      return `simulated ${source.view} view`;
    case 'v4l2':
      return `${source.device} ${source.widthPx}×${source.heightPx} @ ${source.fps} fps`;
    case 'url':
      return source.url.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]*@/gi, '$1:***@');
    case 'file':
      return `video file ${source.path}${source.loop ? ' (loop)' : ''}`;
  }
}

/**
 * The cameras as the console sees them: the `camera.stats` stream (every camera
 * with its state, fps and staleness at 2 Hz) and one action per camera method.
 * Actions never throw: a failure is kept in `lastError` until the next action succeeds.
 */
export const useCameraStore = defineStore('camera', () => {
  const cameras = shallowRef<CameraInfo[]>([]);
  /** True once a camera list arrived (from the stream or camera.list). */
  const loaded = ref(false);
  const streamError = ref<string | null>(null);
  const actions = useActionTracker<CameraAction>(cameraErrorOf, { clearOn: 'any' });
  const { lastError, pending, isPending } = actions;
  let started = false;

  const policyCamera = computed(() => cameras.value.find((camera) => camera.isPolicyCamera) ?? null);
  const names = computed(() => cameras.value.map((camera) => camera.name));

  function byName(name: string): CameraInfo | null {
    return cameras.value.find((camera) => camera.name === name) ?? null;
  }

  function take(list: CameraInfo[]): void {
    cameras.value = list;
    loaded.value = true;
  }

  /** Runs one call; on success takes its camera list and clears the last error, on failure keeps the message. */
  async function run(action: CameraAction, label: string, call: () => Promise<CameraInfo[]>): Promise<boolean> {
    const ok = await actions.run(action, label, async () => {
      take(await call());
      return true;
    });
    return ok ?? false;
  }

  async function refresh(): Promise<void> {
    try {
      take(await useBridge().call('camera.list', {}));
      streamError.value = null;
    } catch (thrown) {
      streamError.value = cameraErrorOf(thrown).message;
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    bridge.subscribe(
      'camera.stats',
      {},
      (list) => {
        take(list);
        streamError.value = null;
      },
      (error) => (streamError.value = cameraErrorOf(error).message),
    );
    // The first stats sample may take up to half a second; the list answers at once.
    if (bridge.connectionState() === 'open') void refresh();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') void refresh();
    });
  }

  function clearError(): void {
    actions.clearError();
  }

  const bridgeCall = () => useBridge();

  return {
    cameras,
    loaded,
    streamError,
    lastError,
    pending,
    policyCamera,
    names,
    byName,
    isPending,
    start,
    refresh,
    clearError,
    add: (name: string, source: CameraSource) =>
      run('add', `Add camera ${name} (${describeSource(source)})`, () =>
        bridgeCall().call('camera.add', { name, source }),
      ),
    remove: (name: string) =>
      run('remove', `Remove camera ${name}`, () => bridgeCall().call('camera.remove', { name })),
    setPolicyCamera: (name: string) =>
      run('setPolicyCamera', `Make ${name} the policy camera`, () =>
        bridgeCall().call('camera.setPolicyCamera', { name }),
      ),
  };
});
