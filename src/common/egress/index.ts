export * from './allowlist';
export * from './egress-policy';
export * from './safe-http';
export * from './egress.module';
