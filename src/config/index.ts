export * from './env.schema';
export * from './env-fields';
export * from './namespaces';
export * from './config.module';
