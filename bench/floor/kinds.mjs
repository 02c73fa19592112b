// The floor servers of bench/floor/servers.mjs, by kind, with the label the report gives them.
export const FLOOR_LABELS = {
  'node-proxy': 'node:http server + node:http client',
  'fastify-proxy': 'Fastify + node:http client',
  'fastify-sdk': 'Fastify + openai SDK',
  'nest-sdk': 'NestJS on Fastify + openai SDK',
};

/**
 * The floors that also stream (an OpenAI SSE answer when the request says `stream: true`): the
 * bare proxy passes the upstream's bytes through as they come; Fastify + SDK parses each chunk
 * with the SDK and writes it out again as an SSE event, as a gateway translating formats does.
 */
export const STREAMING_FLOORS = ['node-proxy', 'fastify-sdk'];
