import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/** The default view: in front of the arm and to its left, above the table, looking at the workspace. */
const HOME_EYE_M = new THREE.Vector3(1.12, 0.78, 0.72);
const HOME_TARGET_M = new THREE.Vector3(0.22, 0, 0.2);
const BACKGROUND = 0x11161b;
const GRID_SIZE_M = 2;
const GRID_STEP_M = 0.1;
const MAX_PIXEL_RATIO = 2;

/** WebGL could not be started: the message says why, for the panel to show. */
export class WebGlUnavailableError extends Error {}

/** A WebGL2 context on a fresh canvas, or an error saying why there is none (three.js needs WebGL2). */
function createContext(): { canvas: HTMLCanvasElement; context: WebGL2RenderingContext } {
  const canvas = document.createElement('canvas');
  let context: WebGL2RenderingContext | null = null;
  try {
    context = canvas.getContext('webgl2', { antialias: true, powerPreference: 'low-power' });
  } catch (thrown) {
    throw new WebGlUnavailableError(`the browser refused a WebGL2 context (${(thrown as Error).message})`);
  }
  if (!context)
    throw new WebGlUnavailableError(
      'this browser or GPU driver gives no WebGL2 context (hardware acceleration off or blocked?)',
    );
  return { canvas, context };
}

/**
 * The 3D view's stage: renderer, camera, lights, floor grid and orbit controls, base frame with z up.
 * Frames are drawn on demand only (a changed pose, a camera move, a resize), at most one per animation
 * frame, and not at all while hidden: the view sits beside live cameras all day.
 */
export class ArmScene {
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(40, 1, 0.02, 20);
  private readonly renderer: THREE.WebGLRenderer;
  private readonly controls: OrbitControls;
  private readonly resizeObserver: ResizeObserver;
  private frameRequested = false;
  private dirty = true;
  private visible = true;
  private disposed = false;
  private frames = 0;

  /** Called after each drawn frame (to publish what was drawn). */
  onRendered: ((frames: number) => void) | null = null;

  constructor(private readonly host: HTMLElement) {
    const { canvas, context } = createContext();
    this.renderer = new THREE.WebGLRenderer({ canvas, context, antialias: true });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO));
    this.renderer.shadowMap.enabled = true;
    this.renderer.shadowMap.type = THREE.PCFShadowMap;
    this.renderer.toneMapping = THREE.ACESFilmicToneMapping;
    canvas.dataset.testid = 'arm3d-canvas';
    canvas.style.display = 'block';
    canvas.style.width = '100%';
    canvas.style.height = '100%';
    host.appendChild(canvas);

    this.scene.background = new THREE.Color(BACKGROUND);
    this.camera.up.set(0, 0, 1);
    this.addLights();
    this.addFloor();

    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.minDistance = 0.25;
    this.controls.maxDistance = 4;
    // Never below the table.
    this.controls.maxPolarAngle = Math.PI / 2 - 0.03;
    this.controls.addEventListener('change', () => this.requestRender());
    this.resetView();

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(host);
    this.resize();
  }

  get renderedFrames(): number {
    return this.frames;
  }

  resetView(): void {
    this.camera.position.copy(HOME_EYE_M);
    this.controls.target.copy(HOME_TARGET_M);
    this.controls.update();
    this.requestRender();
  }

  /** Off screen (scrolled away, tab hidden) nothing is drawn; the newest state is drawn on return. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.dirty) this.requestRender();
  }

  requestRender(): void {
    this.dirty = true;
    if (this.frameRequested || this.disposed || !this.visible) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      if (this.disposed || !this.visible || !this.dirty) return;
      this.dirty = false;
      this.renderer.render(this.scene, this.camera);
      this.frames += 1;
      this.onRendered?.(this.frames);
    });
  }

  dispose(): void {
    this.disposed = true;
    this.resizeObserver.disconnect();
    this.controls.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }

  private resize(): void {
    const widthPx = Math.max(1, this.host.clientWidth);
    const heightPx = Math.max(1, this.host.clientHeight);
    this.renderer.setSize(widthPx, heightPx, false);
    this.camera.aspect = widthPx / heightPx;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  private addLights(): void {
    this.scene.add(new THREE.HemisphereLight(0xdfe8f2, 0x1b1f24, 1.4));
    const key = new THREE.DirectionalLight(0xffffff, 2.2);
    key.position.set(0.9, 0.6, 1.6);
    key.target.position.set(0.25, 0, 0);
    key.castShadow = true;
    key.shadow.mapSize.set(1024, 1024);
    key.shadow.bias = -0.0005;
    const camera = key.shadow.camera;
    camera.left = -0.9;
    camera.right = 0.9;
    camera.top = 0.9;
    camera.bottom = -0.9;
    camera.near = 0.1;
    camera.far = 4;
    this.scene.add(key, key.target);
    const fill = new THREE.DirectionalLight(0x9fc4ff, 0.6);
    fill.position.set(-0.8, -1, 0.8);
    this.scene.add(fill);
  }

  private addFloor(): void {
    const grid = new THREE.GridHelper(GRID_SIZE_M, GRID_SIZE_M / GRID_STEP_M, 0x3c4a57, 0x26303a);
    // GridHelper lies in x-z; the base frame's floor is x-y. A hair above z = 0 so it shows on the table.
    grid.rotation.x = Math.PI / 2;
    grid.position.z = 0.0008;
    const material = grid.material as THREE.LineBasicMaterial;
    material.transparent = true;
    material.opacity = 0.4;
    this.scene.add(grid);

    // Catches the arm's shadow where there is no table (a real arm, or before the sim's scene arrives).
    const shadowCatcher = new THREE.Mesh(
      new THREE.PlaneGeometry(GRID_SIZE_M, GRID_SIZE_M),
      new THREE.ShadowMaterial({ opacity: 0.35 }),
    );
    shadowCatcher.receiveShadow = true;
    this.scene.add(shadowCatcher);

    // x (forward) and y (left) of the base frame, short and dim.
    const axes = new THREE.AxesHelper(0.12);
    axes.position.z = 0.001;
    this.scene.add(axes);
  }
}
