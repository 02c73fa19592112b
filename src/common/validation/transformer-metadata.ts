import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

/**
 * class-transformer's registry of `@Type()`, `@Transform()`, `@Expose()` and `@Exclude()`,
 * which it does not export from its index; @nestjs/mapped-types reads it from the same module.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storage = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: MetadataStorage;
};

export const transformerMetadata = storage.defaultMetadataStorage;
