// The console page in Debian's Chromium, and what the soak benchmark reads from it: the camera views' frame counters
// (CameraView's data attributes), the page's animation frames, and its JS heap through the DevTools protocol.
import fs from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright';

export interface CameraCounters {
  camera: string;
  visible: boolean;
  /** Frames that reached the view from camera.frames. */
  received: number;
  /** Frames decoded and drawn on the view's canvas. */
  drawn: number;
  /** Frames a newer one replaced before they could be decoded: the latest-value policy's own skips. */
  replaced: number;
  sourceFps: number;
}

export interface PageSample {
  cameras: CameraCounters[];
  /** requestAnimationFrame callbacks since the page loaded. */
  animationFrames: number;
  /** After a full collection forced through the DevTools protocol. */
  jsHeapUsedBytes: number;
  jsHeapTotalBytes: number;
}

const ANIMATION_FRAME_COUNTER = `
  globalThis.__coachSoakFrames = 0;
  (function count() {
    globalThis.__coachSoakFrames += 1;
    requestAnimationFrame(count);
  })();
`;

const CHROMIUM_PATH = process.env.COACH_CHROMIUM ?? '/usr/bin/chromium';

export class ConsoleProbe {
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  static async open(url: string): Promise<ConsoleProbe> {
    if (!fs.existsSync(CHROMIUM_PATH))
      throw new Error(
        `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium, or set COACH_CHROMIUM to a Chromium`,
      );
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    // Counts animation frames from the first one; the page's frame rate is its rate of change. A string, not a
    // function: tsx would wrap a named function in a helper the page does not have.
    await page.addInitScript(ANIMATION_FRAME_COUNTER);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(url);
    return new ConsoleProbe(browser, page, cdp);
  }

  /** Waits until every named camera's view is on the page and has drawn a frame. */
  async waitForCameras(names: readonly string[], timeoutMs = 30_000): Promise<void> {
    for (const name of names) {
      const view = this.page.getByTestId(`camera-view-${name}`);
      await view.waitFor({ state: 'attached', timeout: timeoutMs });
      await this.page.waitForFunction(
        (testId) =>
          Number(
            (
              globalThis as unknown as { document: { querySelector(s: string): { dataset: { framesDrawn?: string } } } }
            ).document.querySelector(`[data-testid="${testId}"]`)?.dataset.framesDrawn ?? 0,
          ) > 0,
        `camera-view-${name}`,
        { timeout: timeoutMs },
      );
    }
  }

  async sample(): Promise<PageSample> {
    const cameras = await this.page.locator('[data-testid^="camera-view-"]').evaluateAll((elements) =>
      elements.map((element) => {
        const view = element as unknown as {
          dataset: Record<string, string | undefined>;
          checkVisibility?: () => boolean;
        };
        return {
          camera: (view.dataset.testid ?? '').replace(/^camera-view-/, ''),
          visible: view.checkVisibility?.() ?? true,
          received: Number(view.dataset.framesReceived ?? 0),
          drawn: Number(view.dataset.framesDrawn ?? 0),
          replaced: Number(view.dataset.framesDropped ?? 0),
          sourceFps: Number(view.dataset.sourceFps ?? 0),
        };
      }),
    );
    const animationFrames = Number(await this.page.evaluate('globalThis.__coachSoakFrames ?? 0'));
    // The heap after a full collection is what a leak grows; without it a reading lands anywhere on the saw-tooth.
    await this.cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = (await this.cdp.send('Performance.getMetrics')) as {
      metrics: { name: string; value: number }[];
    };
    const metric = (name: string) => metrics.find((entry) => entry.name === name)?.value ?? NaN;
    return {
      cameras,
      animationFrames,
      jsHeapUsedBytes: metric('JSHeapUsedSize'),
      jsHeapTotalBytes: metric('JSHeapTotalSize'),
    };
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
