import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.urdf': 'application/xml',
  '.stl': 'model/stl',
};

/** The console's Content-Security-Policy, sent as a header by the host (the page also carries it as a meta tag). */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Resolves a URL path inside rootDir, refusing anything that escapes it. */
export function resolveStaticPath(rootDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const resolved = path.resolve(rootDir, `.${path.posix.normalize(`/${decoded}`)}`);
  const root = path.resolve(rootDir);
  return resolved === root || resolved.startsWith(root + path.sep) ? resolved : null;
}

export function serveStaticFile(rootDir: string, urlPath: string, response: ServerResponse): void {
  const requested = resolveStaticPath(rootDir, urlPath === '/' ? '/index.html' : urlPath);
  let filePath = requested;
  if (filePath && (!fs.existsSync(filePath) || !fs.statSync(filePath).isFile())) {
    // Paths without an extension belong to the single-page app.
    filePath = path.extname(filePath) ? null : path.join(rootDir, 'index.html');
  }
  if (!filePath) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${urlPath}\n`);
    return;
  }
  const type = contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  response.writeHead(200, {
    'content-type': type,
    'content-security-policy': RENDERER_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': type.startsWith('text/html') ? 'no-store' : 'max-age=3600',
  });
  fs.createReadStream(filePath).pipe(response);
}
