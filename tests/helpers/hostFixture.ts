import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startHeadlessHost, type HeadlessHost } from '../../src/main/host/headlessHost';
import type { ContractServer } from '../../src/main/contract/contractServer';
import type { ContractShape } from '../../src/shared/contract/define';
import { createWsBridge } from '../../src/shared/contract/wsBridge';
import type { Bridge } from '../../src/shared/contract/bridge';

/** A folder with a minimal "built renderer", so host tests do not depend on a build. */
export function makeRendererDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-renderer-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Coach test page</title>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("coach");');
  return dir;
}

export async function startTestHost<C extends ContractShape>(server: ContractServer<C>): Promise<HeadlessHost> {
  return startHeadlessHost({ server, rendererDir: makeRendererDir(), port: 0 });
}

export function wsUrl(host: HeadlessHost, token: string | null = host.token): string {
  return `ws://127.0.0.1:${host.port}/ws${token === null ? '' : `?token=${token}`}`;
}

export function connectBridge<C extends ContractShape>(host: HeadlessHost): Bridge<C> {
  return createWsBridge<C>({
    url: wsUrl(host),
    createSocket: (url) => new WebSocket(url) as unknown as import('../../src/shared/contract/wsBridge').WebSocketLike,
    minReconnectDelayMs: 50,
    callTimeoutMs: 5000,
  });
}

export function waitForOpen<C extends ContractShape>(bridge: Bridge<C>): Promise<void> {
  if (bridge.connectionState() === 'open') return Promise.resolve();
  return new Promise((resolve) => {
    const stop = bridge.onConnectionState((state) => {
      if (state === 'open') {
        stop();
        resolve();
      }
    });
  });
}

/**
 * Opens a raw socket and resolves once the host's hello arrived (the first message it sends),
 * or rejects with the HTTP status of a refused upgrade.
 */
export function openRawSocket(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ socket: WebSocket; hello: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('message', (data) => resolve({ socket, hello: JSON.parse(data.toString()) }));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}
