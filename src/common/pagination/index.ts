export * from './cursor';
export * from './list-query.dto';
