import { app, session, type WebContents } from 'electron';
import { RENDERER_CSP } from '../host/staticFiles';

/** Origin (or file URL) the console is loaded from; everything else is foreign. */
export function rendererUrlGuard(rendererUrl: string): (url: string) => boolean {
  const target = new URL(rendererUrl);
  if (target.protocol === 'file:') {
    const dir = target.href.slice(0, target.href.lastIndexOf('/') + 1);
    return (url) => url.startsWith(dir);
  }
  return (url) => {
    try {
      return new URL(url).origin === target.origin;
    } catch {
      return false;
    }
  };
}

/** No navigation away, no new windows, no webviews, no permissions (cameras are read by main, not the page). */
export function hardenWebContents(isTrustedUrl: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The built page carries the CSP as a meta tag too; the header also covers the dev server.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });
}
