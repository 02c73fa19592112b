export * from './api-error-responses.decorator';
export * from './error-schemas';
export * from './api-json-or-stream-response.decorator';
