import type { FastifyRequest } from 'fastify';
import { looksLikeApiKey } from './api-keys/api-key-secret';

/** The bearer token (or `x-api-key`) sent with a request, if any. */
export function extractCredential(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined;
}

/** The credential when it is meant as a JWT (anything but a gateway API key), else null. */
export function bearerJwt(req: FastifyRequest): string | null {
  const credential = extractCredential(req);
  return credential && !looksLikeApiKey(credential) ? credential : null;
}
