export * from './api-error-responses.decorator';
export * from './error-schemas';
