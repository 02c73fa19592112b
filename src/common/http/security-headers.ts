import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The security headers every response carries (helmet's set, e.g. CSP, HSTS, nosniff,
 * SAMEORIGIN), worked out once at start-up. They do not depend on the request (no CSP nonces
 * here), so there is no reason to rebuild them per request as @fastify/helmet does (it calls
 * `helmet(options)` again for every request, re-parsing the CSP directives each time).
 */
export function securityHeadersFor(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return res;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet failed to build its headers');
    finished = true;
  });
  // helmet's middlewares are synchronous; if that ever changes this must not silently send none.
  if (!finished) throw new Error('helmet did not finish synchronously');
  return Object.freeze(headers);
}

/** Swagger UI needs inline styles and its init script; JSON responses are unaffected. */
export const GATEWAY_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
    },
  },
};
