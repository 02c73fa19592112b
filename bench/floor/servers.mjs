// Minimal servers for `npm run bench:floor`: what the stack alone costs per request, with no
// gateway feature at all (no auth, validation, rate limits, metrics, logs or history). Each one
// forwards POST /v1/chat/completions to the mock upstream and returns its JSON answer; node-proxy
// and fastify-sdk also stream (kinds.mjs STREAMING_FLOORS).
//   node bench/floor/servers.mjs <kind> <port> <upstream base URL>
// kinds: node-proxy     node:http server + node:http keep-alive client, bytes passed through
//        fastify-proxy  Fastify (JSON parsed and re-serialised) + node:http keep-alive client
//        fastify-sdk    Fastify + the official openai SDK over the gateway's node:http fetch
//        nest-sdk       NestJS on Fastify (one controller, no guards or pipes)
//                       + the same SDK call
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [kind, portArg, upstream] = process.argv.slice(2);
const port = Number(portArg);
const up = new URL(upstream);
// No socket cap, as the gateway's provider agent: at 1,000 concurrent streams a cap would queue them.
const agent = new http.Agent({ keepAlive: true });

/** The upstream's response as it arrives (`cb(err, res)`). */
function forwardRaw(body, headers, cb) {
  const req = http.request(
    {
      host: up.hostname,
      port: up.port,
      path: '/v1/chat/completions',
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        authorization: headers.authorization ?? 'Bearer sk-floor',
      },
    },
    (res) => cb(null, res),
  );
  req.on('error', (e) => cb(e));
  req.end(body);
}

/** The upstream's whole answer (`cb(err, status, body)`). */
function forward(body, headers, cb) {
  forwardRaw(body, headers, (err, res) => {
    if (err) return cb(err);
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => cb(null, res.statusCode, Buffer.concat(chunks)));
    res.on('error', cb);
  });
}

if (kind === 'node-proxy') {
  http
    .createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () =>
        forwardRaw(Buffer.concat(chunks), req.headers, (err, up) => {
          if (err) {
            res.writeHead(502).end();
            return;
          }
          const type = up.headers['content-type'] ?? 'application/json';
          if (type.startsWith('text/event-stream')) {
            // a stream: its bytes go through as they come
            res.writeHead(up.statusCode, { 'content-type': type, 'cache-control': 'no-cache' });
            up.pipe(res);
            return;
          }
          const body = [];
          up.on('data', (c) => body.push(c));
          up.on('end', () => {
            const all = Buffer.concat(body);
            res.writeHead(up.statusCode, {
              'content-type': 'application/json',
              'content-length': all.length,
            });
            res.end(all);
          });
        }),
      );
    })
    .listen(port, '127.0.0.1', () => console.log('ready'));
} else if (kind === 'nest-sdk') {
  await startNest();
} else {
  const fastify = require('fastify')({ logger: false });
  fastify.get('/health', async () => ({ ok: true }));
  if (kind === 'fastify-proxy') {
    fastify.post('/v1/chat/completions', (req, reply) => {
      forward(Buffer.from(JSON.stringify(req.body)), req.headers, (err, status, body) => {
        if (err) return reply.code(502).send({ error: String(err) });
        reply.code(status).send(JSON.parse(body.toString('utf8')));
      });
    });
  } else if (kind === 'fastify-sdk') {
    const { default: OpenAI } = require('openai');
    const { createNodeFetch } = require(
      path.join(root, 'dist/modules/providers/http/node-fetch.js'),
    );
    const client = new OpenAI({
      apiKey: 'sk-floor',
      baseURL: `${upstream}/v1`,
      fetch: createNodeFetch(),
      maxRetries: 0,
    });
    fastify.post('/v1/chat/completions', async (req, reply) => {
      if (!req.body?.stream) return client.chat.completions.create(req.body);
      // The SDK parses each chunk; each leaves again as one SSE event.
      const stream = await client.chat.completions.create(req.body);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
      });
      for await (const chunk of stream) reply.raw.write(`data: ${JSON.stringify(chunk)}\n\n`);
      reply.raw.end('data: [DONE]\n\n');
    });
  } else {
    throw new Error(`unknown kind ${kind}`);
  }
  fastify.listen({ port, host: '127.0.0.1' }).then(() => console.log('ready'));
}

/** The smallest Nest app doing the same call: what Nest's routing layer adds to Fastify + SDK. */
async function startNest() {
  require('reflect-metadata');
  const { Body, Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  const { default: OpenAI } = require('openai');
  const { createNodeFetch } = require(path.join(root, 'dist/modules/providers/http/node-fetch.js'));
  const client = new OpenAI({
    apiKey: 'sk-floor',
    baseURL: `${upstream}/v1`,
    fetch: createNodeFetch(),
    maxRetries: 0,
  });
  // Plain JavaScript, so the decorators are applied by hand.
  class ChatController {
    complete(body) {
      return client.chat.completions.create(body);
    }
    health() {
      return { ok: true };
    }
  }
  const complete = Object.getOwnPropertyDescriptor(ChatController.prototype, 'complete');
  const health = Object.getOwnPropertyDescriptor(ChatController.prototype, 'health');
  Reflect.defineMetadata('design:paramtypes', [Object], ChatController.prototype, 'complete');
  Body()(ChatController.prototype, 'complete', 0);
  HttpCode(200)(ChatController.prototype, 'complete', complete);
  Post('v1/chat/completions')(ChatController.prototype, 'complete', complete);
  Get('health')(ChatController.prototype, 'health', health);
  Controller()(ChatController);
  class FloorModule {}
  Module({ controllers: [ChatController] })(FloorModule);
  const app = await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false });
  await app.listen(port, '127.0.0.1');
  console.log('ready');
}
