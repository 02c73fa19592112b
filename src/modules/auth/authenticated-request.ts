import type { FastifyRequest } from 'fastify';

/** What later guards (rate limits) need to know about the API key a request used. */
export interface RequestApiKey {
  id: string;
  /** The key's own requests-per-minute limit, when it has one. */
  perMinute?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth guard when the request authenticated with a gateway API key. */
    apiKey?: RequestApiKey;
  }
}

export function requestApiKey(req: FastifyRequest): RequestApiKey | undefined {
  return req.apiKey;
}
