import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function generateAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensMatch(expected: string, presented: string | null | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookies ignore ports, so the name carries the port: two hosts on one machine keep separate tokens. */
export function tokenCookieName(port: number): string {
  return `coach_token_${port}`;
}

export function readCookie(request: IncomingMessage, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return decodeURIComponent(part.slice(separator + 1).trim());
  }
  return null;
}

/** The token a request presents: `?token=` in the URL first, else the cookie set on the first visit. */
export function presentedToken(request: IncomingMessage, url: URL, port: number): string | null {
  return url.searchParams.get('token') ?? readCookie(request, tokenCookieName(port));
}
