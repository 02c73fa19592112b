export * from './error-code';
export * from './app.exception';
export * from './store-unavailable';
