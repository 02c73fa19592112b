// `npm run bench`: the gateway against the mock upstream (the ceiling) and the Portkey gateway,
// all on 127.0.0.1. Writes bench/results/latest.md and prints it. See bench/README.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  destroyAgents,
  interleavedRounds,
  percentile,
  probeLoop,
  runLoad,
  timedRequest,
} from './lib/load.mjs';
import { runStreams, streamOnce } from './lib/streams.mjs';
import {
  childPids,
  cpuTicks,
  freePort,
  killAllNow,
  pssMb,
  rssMb,
  rssTracker,
  startNode,
  stop,
  stopAll,
  waitIdle,
  waitReady,
} from './lib/processes.mjs';
import { FLOOR_LABELS, STREAMING_FLOORS } from './floor/kinds.mjs';
import { evaluateTargets, renderReport } from './lib/report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

const num = (name, def) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
};

const cfg = {
  duration: num('BENCH_DURATION', 8),
  warmup: num('BENCH_WARMUP', 2),
  connections: num('BENCH_CONNECTIONS', 50),
  highConnections: num('BENCH_HIGH_CONNECTIONS', 200),
  rounds: num('BENCH_ROUNDS', 15),
  // Slow concurrent streams: how many at once (one scenario per value), and their shape.
  streams: (process.env.BENCH_STREAMS ?? '300,1000')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_STREAMS: bad count "${s}"`);
      return n;
    }),
  streamChunks: num('BENCH_STREAM_CHUNKS', 20),
  streamChunkDelayMs: num('BENCH_STREAM_CHUNK_DELAY_MS', 50),
  perRound: num('BENCH_PER_ROUND', 20),
  only: (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  portkey: process.env.BENCH_PORTKEY !== '0',
  // The stack's floor: minimal servers with no gateway feature (bench/floor/servers.mjs).
  floor: process.env.BENCH_FLOOR !== '0',
  logLevel: process.env.BENCH_LOG_LEVEL || 'info',
  databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
  gatewayNodeOptions: (process.env.BENCH_GATEWAY_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
  cpuProfDir: process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined,
  out: path.resolve(root, process.env.BENCH_OUT || 'bench/results/latest.md'),
};
const RATE_LIMIT = 1_000_000; // the schema's maximum: limits stay on, the benchmark stays under them
const JWT_SECRET = randomBytes(32).toString('hex');
const PROMPT = 'Summarise in two sentences why connection pooling matters for an API gateway.';

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

const workDir = mkdtempSync(path.join(os.tmpdir(), 'aimw-bench-'));

process.on('SIGINT', () => {
  log('interrupted: stopping every process started');
  killAllNow();
  rmSync(workDir, { recursive: true, force: true });
  process.exit(130);
});
process.on('exit', killAllNow);

async function main() {
  try {
    await run(workDir);
  } finally {
    destroyAgents();
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function run(workDir) {
  log('building the gateway if dist/ is stale');
  execFileSync(process.execPath, [path.join(root, 'scripts/build-if-needed.mjs')], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });

  // --- processes ------------------------------------------------------------------------------
  const [mockPort, gwPort, pkPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const mockUrl = `http://127.0.0.1:${mockPort}`;
  const gwUrl = `http://127.0.0.1:${gwPort}`;
  const pkUrl = `http://127.0.0.1:${pkPort}`;

  const mock = startNode(
    'mock upstream',
    ['-r', 'ts-node/register/transpile-only', 'test/mock-upstream/main.ts'],
    {
      cwd: root,
      env: { ...process.env, PORT: String(mockPort), HOST: '127.0.0.1', MOCK_RECORD: '0' },
      logFile: path.join(workDir, 'mock.log'),
    },
  );

  const gwArgs = [];
  if (cfg.cpuProfDir) {
    mkdirSync(cfg.cpuProfDir, { recursive: true });
    gwArgs.push('--cpu-prof', `--cpu-prof-dir=${cfg.cpuProfDir}`);
  }
  // Node flags for the gateway only, e.g. a heap cap: BENCH_GATEWAY_NODE_OPTIONS=--max-old-space-size=192
  gwArgs.push(...cfg.gatewayNodeOptions, path.join(root, 'dist/main.js'));
  const gateway = startNode('gateway', gwArgs, {
    cwd: workDir,
    env: gatewayEnv({ port: gwPort, mockUrl, dataDir: path.join(workDir, 'data') }),
    logFile: path.join(workDir, 'gateway.log'),
  });

  let portkey;
  if (cfg.portkey) {
    portkey = startNode(
      'portkey',
      [
        require.resolve('@portkey-ai/gateway/build/start-server.js'),
        '--headless',
        `--port=${pkPort}`,
      ],
      {
        cwd: workDir,
        env: { ...process.env, NODE_ENV: 'production' },
        logFile: path.join(workDir, 'portkey.log'),
      },
    );
  }

  // Floor servers: the same forward with none of the gateway's features (see bench/floor).
  const floorKinds = cfg.floor ? Object.keys(FLOOR_LABELS) : [];
  const floors = await Promise.all(
    floorKinds.map(async (kind) => {
      const port = await freePort();
      const proc = startNode(
        `floor ${kind}`,
        [path.join(root, 'bench/floor/servers.mjs'), kind, String(port), mockUrl],
        {
          cwd: root,
          env: { ...process.env, NODE_ENV: 'production' },
          logFile: path.join(workDir, `floor-${kind}.log`),
        },
      );
      return { kind, proc, url: `http://127.0.0.1:${port}` };
    }),
  );

  await Promise.all([
    waitReady(mock, `${mockUrl}/__mock/health`),
    waitReady(gateway, `${gwUrl}/health/ready`),
    portkey ? waitReady(portkey, `${pkUrl}/`, { anyStatus: true }) : undefined,
    ...floors.map((f) => waitReady(f.proc, `${f.url}/health`, { anyStatus: true })),
  ]);
  // The embedded database runs in a child process of the gateway: measured beside it.
  const dbPid = cfg.databaseUrl ? undefined : childPids(gateway.pid)[0];
  log(
    `mock ${mockUrl}, gateway ${gwUrl} (pid ${gateway.pid}` +
      `${dbPid ? `, embedded database pid ${dbPid}` : ', external Postgres'})` +
      `${portkey ? `, portkey ${pkUrl} (pid ${portkey.pid})` : ''}`,
  );
  // Embedded mode at rest: the gateway and its database process after boot, before any request.
  await waitIdle([gateway.pid, ...(dbPid ? [dbPid] : [])]);
  const idle = {
    gatewayMb: rssMb(gateway.pid),
    dbMb: dbPid ? rssMb(dbPid) : undefined,
    gatewayPssMb: pssMb(gateway.pid),
    dbPssMb: dbPid ? pssMb(dbPid) : undefined,
  };
  log(
    `idle after boot: gateway ${idle.gatewayMb?.toFixed(0)} MB` +
      (idle.dbMb === undefined ? '' : `, database process ${idle.dbMb.toFixed(0)} MB`),
  );

  // --- targets --------------------------------------------------------------------------------
  const jwt = require('jsonwebtoken');
  const sign = (scopes) =>
    jwt.sign({ sub: 'bench-user', org_id: 'bench-org', scopes }, JWT_SECRET, {
      algorithm: 'HS256',
      expiresIn: '2h',
    });
  const gwHeaders = { authorization: `Bearer ${sign([])}`, 'content-type': 'application/json' };
  const agentId = await createAgent(gwUrl, sign(['admin']));

  const chat = (model, extra = {}, content = PROMPT) =>
    JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra });
  const stream = { stream: true, stream_options: { include_usage: true } };
  const directHeaders = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
  const pkHeaders = {
    ...directHeaders,
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': `${mockUrl}/v1`,
  };
  const T = {
    direct: {
      name: 'direct',
      url: `${mockUrl}/v1/chat/completions`,
      headers: directHeaders,
      body: chat('gpt-4o-mini'),
    },
    directStream: {
      name: 'direct-stream',
      url: `${mockUrl}/v1/chat/completions`,
      headers: directHeaders,
      body: chat('gpt-4o-mini', stream),
    },
    gw: {
      name: 'gateway',
      url: `${gwUrl}/v1/chat/completions`,
      headers: gwHeaders,
      body: chat('openai/gpt-4o-mini'),
    },
    gwStream: {
      name: 'gateway-stream',
      url: `${gwUrl}/v1/chat/completions`,
      headers: gwHeaders,
      body: chat('openai/gpt-4o-mini', stream),
    },
    // temperature 0: deterministic, so the response cache serves it (primed below)
    gwHit: {
      name: 'cache-hit',
      url: `${gwUrl}/v1/chat/completions`,
      headers: gwHeaders,
      body: chat('openai/gpt-4o-mini', { temperature: 0 }),
    },
    pk: {
      name: 'portkey',
      url: `${pkUrl}/v1/chat/completions`,
      headers: pkHeaders,
      body: chat('gpt-4o-mini'),
    },
    pkStream: {
      name: 'portkey-stream',
      url: `${pkUrl}/v1/chat/completions`,
      headers: pkHeaders,
      body: chat('gpt-4o-mini', stream),
    },
  };
  T.agent = agentTarget(gwUrl, gwHeaders, agentId);
  // The cache-hit request's shape with a new question each time: looks the cache up, misses,
  // calls the model and stores the answer.
  T.gwMiss = newQuestionTarget('cache-miss', `${gwUrl}/v1/chat/completions`, gwHeaders, (n) =>
    chat('openai/gpt-4o-mini', { temperature: 0 }, `${PROMPT} (question ${n})`),
  );

  for (const f of floors) {
    T[f.kind] = {
      name: f.kind,
      url: `${f.url}/v1/chat/completions`,
      headers: directHeaders,
      body: chat('gpt-4o-mini'),
    };
  }

  // Slow streams: the mock answers in BENCH_STREAM_CHUNKS content chunks, BENCH_STREAM_CHUNK_DELAY_MS
  // apart (its `chunks` / `chunk_delay_ms` directives, in the message so every hop forwards them).
  const slow = `${PROMPT} #mock${JSON.stringify({ chunks: cfg.streamChunks, chunk_delay_ms: cfg.streamChunkDelayMs })}`;
  const slowTargets = [
    {
      id: 'gw-streams',
      label: 'gateway',
      proc: gateway,
      target: { ...T.gwStream, body: chat('openai/gpt-4o-mini', stream, slow) },
    },
    ...(portkey
      ? [
          {
            id: 'portkey-streams',
            label: 'Portkey',
            proc: portkey,
            target: { ...T.pkStream, body: chat('gpt-4o-mini', stream, slow) },
          },
        ]
      : []),
    ...floors
      .filter((f) => STREAMING_FLOORS.includes(f.kind))
      .map((f) => ({
        id: `floor-${f.kind}-streams`,
        label: `floor: ${FLOOR_LABELS[f.kind]}`,
        proc: f.proc,
        target: { ...T[f.kind], body: chat('gpt-4o-mini', stream, slow) },
      })),
  ];

  // Fail fast, with the answer, if a target is misconfigured.
  for (const t of [
    T.direct,
    T.gw,
    T.gwStream,
    T.gwHit,
    T.gwMiss,
    ...(portkey ? [T.pk, T.pkStream] : []),
    ...floors.map((f) => T[f.kind]),
  ]) {
    const r = await timedRequest(t);
    if (r.status !== 200) throw new Error(`${t.name}: smoke request answered ${r.status}`);
  }
  for (const s of slowTargets) {
    const r = await streamOnce(s.target);
    if (!r.ok) throw new Error(`${s.id}: smoke stream failed: ${r.reason}`);
  }

  // --- load scenarios ---------------------------------------------------------------------------
  const c = cfg.connections;
  const scenarios = [
    {
      id: 'direct',
      label: 'direct to mock (ceiling)',
      target: T.direct,
      conns: c,
      proc: undefined,
    },
    { id: 'gw', label: 'gateway /v1/chat/completions', target: T.gw, conns: c, proc: gateway },
    {
      id: 'direct-stream',
      label: 'direct to mock, stream',
      target: T.directStream,
      conns: c,
      probe: T.directStream,
    },
    {
      id: 'gw-stream',
      label: 'gateway stream',
      target: T.gwStream,
      conns: c,
      proc: gateway,
      probe: T.gwStream,
    },
    {
      id: 'agent',
      label: 'gateway agent + history, cache miss',
      target: T.agent,
      conns: c,
      proc: gateway,
    },
    { id: 'cache-hit', label: 'gateway cache hit', target: T.gwHit, conns: c, proc: gateway },
    {
      id: 'cache-miss',
      label: 'gateway cache miss (same request, new question)',
      target: T.gwMiss,
      conns: c,
      proc: gateway,
    },
    ...(portkey
      ? [
          { id: 'portkey', label: 'Portkey', target: T.pk, conns: c, proc: portkey },
          {
            id: 'portkey-stream',
            label: 'Portkey stream',
            target: T.pkStream,
            conns: c,
            proc: portkey,
            probe: T.pkStream,
          },
        ]
      : []),
    ...floors.map((f) => ({
      id: `floor-${f.kind}`,
      label: `floor: ${FLOOR_LABELS[f.kind]}`,
      target: T[f.kind],
      conns: c,
      proc: f.proc,
    })),
    {
      id: 'gw-high',
      label: 'gateway /v1/chat/completions',
      target: T.gw,
      conns: cfg.highConnections,
      proc: gateway,
    },
  ].filter((s) => cfg.only.length === 0 || cfg.only.includes(s.id));

  const busyPids = [
    mock.pid,
    gateway.pid,
    ...(dbPid ? [dbPid] : []),
    ...(portkey ? [portkey.pid] : []),
    ...floors.map((f) => f.proc.pid),
  ];
  const loadBefore = os.loadavg()[0];
  const load = [];
  for (const s of scenarios) {
    await waitIdle(busyPids);
    log(`${s.id}: ${s.conns} connections, ${cfg.warmup}+${cfg.duration} s`);
    if (cfg.warmup > 0) await runLoad(s.target, { connections: s.conns, duration: cfg.warmup });
    const pids = !s.proc
      ? []
      : s.proc === gateway
        ? [gateway.pid, dbPid].filter(Boolean)
        : [s.proc.pid];
    const rss = pids.map((pid) => rssTracker(pid));
    const cpuBefore = pids.map(cpuTicks);
    const probeStop = { stopped: false };
    const probe = s.probe ? probeLoop(s.probe, probeStop) : undefined;
    const r = await runLoad(s.target, { connections: s.conns, duration: cfg.duration });
    probeStop.stopped = true;
    const probed = probe ? await probe : undefined;
    const [rssMb, dbRssMb] = rss.map((t) => t.stop());
    // CPU time (ms) each serving process spent per answered request: robust to a busy machine.
    const [cpuMsPerReq, dbCpuMsPerReq] = pids.map(
      (pid, i) => ((cpuTicks(pid) - cpuBefore[i]) * 10) / Math.max(r.ok, 1),
    );
    const row = { ...r, id: s.id, label: s.label, rssMb, dbRssMb, cpuMsPerReq, dbCpuMsPerReq };
    if (probed) {
      row.ttfb = { p50: percentile(probed.ttfb, 50), p99: percentile(probed.ttfb, 99) };
      row.errors += probed.failures;
    }
    log(
      `  ${r.rps.toFixed(0)} rps, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${row.errors}` +
        `, slowest first response of a connection ${r.firstMax.toFixed(0)} ms` +
        (cpuMsPerReq === undefined ? '' : `, server CPU ${cpuMsPerReq.toFixed(3)} ms/request`) +
        (dbCpuMsPerReq === undefined
          ? ''
          : ` (+${dbCpuMsPerReq.toFixed(3)} in the database process)`),
    );
    if (row.errors > 0) log(`  status codes: ${JSON.stringify(r.statusCodes)}`);
    load.push(row);
  }

  // --- slow concurrent streams ------------------------------------------------------------------
  const streamRows = [];
  for (const n of cfg.streams) {
    for (const s of slowTargets.filter((t) => cfg.only.length === 0 || cfg.only.includes(t.id))) {
      await waitIdle(busyPids);
      log(
        `${s.id}: ${n} concurrent streams of ${cfg.streamChunks} chunks ${cfg.streamChunkDelayMs} ms apart, ` +
          `${cfg.warmup}+${cfg.duration} s`,
      );
      if (cfg.warmup > 0) await runStreams(s.target, { streams: n, durationS: cfg.warmup });
      const pids = s.proc === gateway ? [gateway.pid, dbPid].filter(Boolean) : [s.proc.pid];
      const rss = pids.map((pid) => rssTracker(pid));
      const cpuBefore = pids.map(cpuTicks);
      const r = await runStreams(s.target, { streams: n, durationS: cfg.duration });
      const [rssMbPeak, dbRssMb] = rss.map((t) => t.stop());
      // CPU time (ms) per completed stream, from /proc/<pid>/stat over the measured phase.
      const [cpuMsPerStream, dbCpuMsPerStream] = pids.map(
        (pid, i) => ((cpuTicks(pid) - cpuBefore[i]) * 10) / Math.max(r.ok, 1),
      );
      const row = {
        ...r,
        id: s.id,
        label: s.label,
        rssMb: rssMbPeak,
        dbRssMb,
        cpuMsPerStream,
        dbCpuMsPerStream,
      };
      log(
        `  ${r.ok} streams (${r.streamsPerS.toFixed(0)}/s), first token p50 ${r.firstToken.p50.toFixed(1)} ` +
          `p99 ${r.firstToken.p99.toFixed(1)} ms, total p50 ${r.total.p50.toFixed(0)} p99 ${r.total.p99.toFixed(0)} ms, ` +
          `failed ${r.failed}, CPU ${cpuMsPerStream.toFixed(2)} ms/stream` +
          (dbCpuMsPerStream === undefined ? '' : ` (+${dbCpuMsPerStream.toFixed(2)} db)`) +
          `, peak RSS ${rssMbPeak.toFixed(0)} MB`,
      );
      if (r.failed > 0) log(`  failures: ${JSON.stringify(r.failures)}`);
      streamRows.push(row);
    }
  }

  // --- sequential overhead ----------------------------------------------------------------------
  let sequential;
  if (cfg.rounds > 0 && (cfg.only.length === 0 || cfg.only.includes('sequential'))) {
    await waitIdle(busyPids);
    const seqTargets = [
      T.direct,
      T.gw,
      T.gwHit,
      ...(portkey ? [T.pk] : []),
      ...floors.map((f) => T[f.kind]),
      T.directStream,
      T.gwStream,
      ...(portkey ? [T.pkStream] : []),
    ];
    log(
      `sequential: ${cfg.rounds} rounds x ${cfg.perRound} requests x ${seqTargets.length} targets`,
    );
    const res = await interleavedRounds(seqTargets, {
      rounds: cfg.rounds,
      perRound: cfg.perRound,
      warmup: 50,
    });
    const labels = {
      direct: ['direct to mock', undefined],
      gateway: ['gateway /v1/chat/completions', 'direct'],
      'cache-hit': ['gateway cache hit', 'direct'],
      portkey: ['Portkey', 'direct'],
      'direct-stream': ['direct to mock, stream', undefined],
      'gateway-stream': ['gateway stream', 'direct-stream'],
      'portkey-stream': ['Portkey stream', 'direct-stream'],
      ...Object.fromEntries(
        floors.map((f) => [f.kind, [`floor: ${FLOOR_LABELS[f.kind]}`, 'direct']]),
      ),
    };
    sequential = {
      byName: res,
      rows: seqTargets.map((t) => ({
        label: labels[t.name][0],
        ...res[t.name],
        baseline: labels[t.name][1] ? res[labels[t.name][1]] : undefined,
      })),
    };
  }

  const byId = Object.fromEntries(load.map((r) => [r.id, r]));
  const report = renderReport({
    meta: {
      date: new Date().toISOString().slice(0, 16).replace('T', ' '),
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`,
      node: process.version,
      duration: cfg.duration,
      warmup: cfg.warmup,
      logLevel: cfg.logLevel,
      nodeOptions: cfg.gatewayNodeOptions.join(' '),
      loadavg: `${loadBefore.toFixed(2)} before the scenarios, ${os.loadavg()[0].toFixed(2)} after`,
      stores: cfg.databaseUrl
        ? 'PostgreSQL from BENCH_DATABASE_URL, other stores embedded'
        : `embedded stores (PGlite ${dbPid ? 'in a child process' : 'inside the gateway process'}, in-memory cache and rate limits)`,
      rateLimit: RATE_LIMIT,
      portkeyVersion: portkey ? readVersion('@portkey-ai/gateway') : '(skipped)',
      rounds: cfg.rounds,
      perRound: cfg.perRound,
      streamChunks: cfg.streamChunks,
      streamChunkDelayMs: cfg.streamChunkDelayMs,
    },
    load,
    streams: streamRows,
    idle,
    sequential,
    targets: evaluateTargets(byId, sequential, streamRows, idle),
  });

  // Stop the gateway first and on its own: with BENCH_CPU_PROF it writes the profile on exit.
  await stop(gateway);
  if (gateway.exitCode !== 0) log(`gateway exited with ${gateway.exitCode}`);
  mkdirSync(path.dirname(cfg.out), { recursive: true });
  writeFileSync(cfg.out, report + '\n');
  process.stdout.write(report + '\n');
  log(`written to ${path.relative(root, cfg.out)}`);
  if (cfg.cpuProfDir) log(`CPU profile(s) in ${cfg.cpuProfDir}`);
}

/** The gateway's environment: none of the caller's gateway settings leak in (embedded stores). */
function gatewayEnv({ port, mockUrl, dataDir }) {
  const { appEnvSchema } = require(path.join(root, 'dist/app.env.js'));
  const env = { ...process.env };
  for (const key of Object.keys(appEnvSchema.shape)) delete env[key];
  return {
    ...env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: cfg.logLevel,
    DATA_DIR: dataDir,
    JWT_SECRET,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    OPENAI_API_KEY: 'sk-bench',
    OPENAI_BASE_URL: `${mockUrl}/v1`,
    RATE_LIMIT_USER_PER_MINUTE: String(RATE_LIMIT),
    RATE_LIMIT_THREAD_PER_MINUTE: String(RATE_LIMIT),
    ...(cfg.databaseUrl ? { DATABASE_URL: cfg.databaseUrl } : {}),
  };
}

async function createAgent(gwUrl, adminToken) {
  const res = await fetch(`${gwUrl}/api/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench agent',
      service: 'openai',
      model: 'gpt-4o-mini',
      prompt: 'You are {{persona}}, a concise assistant. Answer in plain text.',
      configuration: { temperature: 0.7, max_tokens: 256 },
    }),
  });
  const body = await res.json();
  if (res.status !== 201)
    throw new Error(`creating the agent failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.id;
}

/**
 * The agent endpoint as a chat client uses it: each connection holds a thread for four turns
 * (so the history grows to six messages), then starts a new one. Every question is new and asks
 * for the cache, so each request looks the cache up, misses, calls the model and stores.
 */
function agentTarget(gwUrl, headers, agentId) {
  const runId = randomBytes(4).toString('hex');
  let threads = 0;
  let questions = 0;
  const turn = {
    method: 'POST',
    path: '/api/v2/model/chat/completion',
    headers,
    setupRequest: (req, ctx) => {
      ctx.thread ??= `bench-${runId}-${++threads}`;
      req.body = JSON.stringify({
        agent_id: agentId,
        user: `${PROMPT} (question ${++questions})`,
        thread_id: ctx.thread,
        variables: { persona: 'Bench' },
        cache: { ttl: 60 },
      });
      return req;
    },
  };
  const body = () =>
    JSON.stringify({
      agent_id: agentId,
      user: `${PROMPT} (probe ${++questions})`,
      thread_id: `bench-${runId}-probe`,
      variables: { persona: 'Bench' },
      cache: { ttl: 60 },
    });
  return {
    name: 'agent',
    url: `${gwUrl}/api/v2/model/chat/completion`,
    headers,
    body,
    requests: [turn, turn, turn, turn],
  };
}

/** `url` with a body that asks a new question each time (`body(n)`), for load and probes. */
function newQuestionTarget(name, url, headers, body) {
  const runId = randomBytes(4).toString('hex');
  let n = 0;
  const next = () => body(`${runId}-${++n}`);
  return {
    name,
    url,
    headers,
    body: next,
    requests: [
      {
        method: 'POST',
        path: new URL(url).pathname,
        headers,
        setupRequest: (req) => {
          req.body = next();
          return req;
        },
      },
    ],
  };
}

function readVersion(pkg) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`failed: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
    stopAll().finally(() => process.exit(1));
  },
);
