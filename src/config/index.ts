export * from './env.schema';
export * from './namespaces';
export * from './config.module';
