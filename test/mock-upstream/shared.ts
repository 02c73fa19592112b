/** Helpers every part of the mock upstream uses: JSON object checks, ids, token counts, headers. */
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';

export type Provider = 'openai' | 'anthropic';
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// Ids look like the real ones but are a per-process prefix plus a counter: unique, not random.
const BOOT = randomBytes(6).toString('hex');
let seq = 0;
export const nextId = (): string => `${BOOT}${(++seq).toString(36).padStart(6, '0')}`;

/** The mock's token count: a token per 4 characters, rounded up. */
export const tokens = (chars: number): number => Math.ceil(chars / 4);

export function headerString(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Overrides of the provider's default error body fields. */
export interface ErrorOpts {
  param?: string | null;
  code?: string | null;
  type?: string;
}
