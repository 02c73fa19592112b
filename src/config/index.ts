export * from './env.schema';
export * from './env-fields';
export * from './env-namespace';
export * from './namespaces';
export * from './config.module';
