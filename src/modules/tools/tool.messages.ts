import type { StoredToolFields } from './tool.types';

export const duplicateToolMessage = (f: Partial<StoredToolFields>): string =>
  f.name === undefined
    ? 'A tool with these values already exists in this org'
    : `A tool named "${f.name}" already exists in this org`;
