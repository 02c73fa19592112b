/** Who is calling: derived from a verified JWT or a gateway API key. */
export interface Principal {
  /** JWT `sub` or the API key's owner. */
  userId: string;
  orgId: string;
  scopes: string[];
  via: 'jwt' | 'api_key';
  /** Set when authenticated with a gateway API key. */
  apiKeyId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
