// The floor servers of bench/floor/servers.mjs, by kind, with the label the report gives them.
export const FLOOR_LABELS = {
  'node-proxy': 'node:http server + node:http client',
  'fastify-proxy': 'Fastify + node:http client',
  'fastify-sdk': 'Fastify + openai SDK',
  'nest-sdk': 'NestJS on Fastify + openai SDK',
};
