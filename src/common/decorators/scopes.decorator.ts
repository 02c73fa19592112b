import { SetMetadata } from '@nestjs/common';

export const SCOPES_KEY = 'auth:scopes';

/** Every listed scope is required (403 otherwise). */
export const Scopes = (...scopes: string[]) => SetMetadata(SCOPES_KEY, scopes);
