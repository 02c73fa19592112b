export * from './public.decorator';
export * from './scopes.decorator';
export * from './current-principal.decorator';
