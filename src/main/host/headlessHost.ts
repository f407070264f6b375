import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ContractShape } from '../../shared/contract/define';
import type { ContractServer } from '../contract/contractServer';
import type { ClientSession } from '../contract/clientSession';
import { generateAccessToken, presentedToken, tokenCookieName, tokensMatch } from './accessToken';
import { serveStaticFile } from './staticFiles';
import { serveWsClient } from './wsClientConnection';

/** Largest message a client may send; bigger ones close the connection (code 1009). */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;
const HEARTBEAT_INTERVAL_MS = 15_000;
const HEARTBEAT_MISSES_ALLOWED = 2;

export interface HeadlessHostOptions<C extends ContractShape> {
  server: ContractServer<C>;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Binding anything but loopback exposes the arm to the network: it must be asked for. */
  allowRemote?: boolean;
  /** Fixed token for tests; a random one per run otherwise. */
  token?: string;
}

export interface HeadlessHost {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly token: string;
  /** Connected WebSocket clients, for diagnostics and tests. */
  sessions(): ClientSession<ContractShape>[];
  close(): Promise<void>;
}

export function isLoopbackAddress(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function refuse(response: http.ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

function rejectUpgrade(socket: Socket, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${message}\n`,
  );
}

/** The browser's Origin must be this host itself; a page from elsewhere must not drive the arm. */
function originAllowed(request: http.IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin) return true; // not a browser (CLI tools, tests); the token still applies
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export async function startHeadlessHost<C extends ContractShape>(
  options: HeadlessHostOptions<C>,
): Promise<HeadlessHost> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host) && !options.allowRemote) {
    throw new Error(
      `refusing to listen on ${host}: anyone who can reach it could drive the arm. Pass --allow-remote if you mean it.`,
    );
  }
  if (!fs.existsSync(path.join(options.rendererDir, 'index.html'))) {
    throw new Error(
      `the built console is missing (${path.join(options.rendererDir, 'index.html')}); run "npm run build" first`,
    );
  }
  const token = options.token ?? generateAccessToken();
  const sessions = new Set<ClientSession<C>>();
  let port = 0;

  const httpServer = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://coach.invalid');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(response, 405, 'only GET is served here');
      return;
    }
    if (!tokensMatch(token, presentedToken(request, url, port))) {
      refuse(
        response,
        401,
        'Coach: this address needs the token that "coach serve" printed. Open the full URL it printed.',
      );
      return;
    }
    if (url.searchParams.has('token')) {
      response.setHeader(
        'set-cookie',
        `${tokenCookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    serveStaticFile(options.rendererDir, url.pathname, response);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  httpServer.on('upgrade', (request, socket: Socket, head) => {
    const url = new URL(request.url ?? '/', 'http://coach.invalid');
    if (url.pathname !== '/ws') return rejectUpgrade(socket, 404, 'the contract is served at /ws');
    if (!tokensMatch(token, presentedToken(request, url, port)))
      return rejectUpgrade(socket, 401, 'missing or wrong token');
    if (!originAllowed(request)) return rejectUpgrade(socket, 403, 'cross-origin connections are refused');
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const session = serveWsClient(ws, options.server);
      sessions.add(session);
      // A client is dead after HEARTBEAT_MISSES_ALLOWED intervals without a pong or a message. One interval
      // was too strict: a loaded browser reading a backlog of frames answers the ping late, and a dropped
      // console loses its subscriptions mid-attempt.
      let missedHeartbeats = 0;
      const markAlive = () => (missedHeartbeats = 0);
      ws.on('pong', markAlive);
      ws.on('message', markAlive);
      const heartbeat = setInterval(() => {
        if (missedHeartbeats >= HEARTBEAT_MISSES_ALLOWED) return ws.terminate();
        missedHeartbeats += 1;
        ws.ping();
      }, HEARTBEAT_INTERVAL_MS);
      heartbeat.unref();
      ws.on('close', () => {
        clearInterval(heartbeat);
        sessions.delete(session);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => resolve());
  });
  port = (httpServer.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    host,
    token,
    sessions: () => [...sessions] as ClientSession<ContractShape>[],
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
