import type { StoredProviderKeyFields } from './provider-key.types';

export const duplicateProviderKeyMessage = (f: Partial<StoredProviderKeyFields>): string =>
  f.service === undefined
    ? 'This org already has a key for that service'
    : `This org already has a ${f.service} key: update or delete it instead`;
