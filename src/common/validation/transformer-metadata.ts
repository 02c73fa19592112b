import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

/**
 * class-transformer's registry of `@Type()`, `@Transform()`, `@Expose()` and `@Exclude()`,
 * which it does not export from its index; @nestjs/mapped-types reads it from the same module.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const transformerMetadata = (require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: MetadataStorage;
}).defaultMetadataStorage;
