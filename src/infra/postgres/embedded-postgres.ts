import { Logger } from '@nestjs/common';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Unix socket paths are limited to ~107 bytes; the pg driver appends `/.s.PGSQL.5432`. */
const MAX_SOCKET_DIR_LENGTH = 80;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
/** Stderr kept from the server process, for the error when it fails. */
const STDERR_TAIL_BYTES = 4096;

/**
 * Postgres settings for a gateway's load, added to PGlite's own start parameters. The stock
 * values are sized for a database server (shared_buffers 128MB, max_connections 100), and in
 * WASM every megabyte of them is the process's resident memory. The gateway's working set is
 * small and recent (call logs, metrics and messages appended, agents and keys read through its
 * caches), and PGlite serves one connection. Measured A/B in bench/README.md ("Levers").
 */
export const EMBEDDED_PG_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  // PGlite is single-user; the slots of 100 backends cost memory for nothing. 5 keeps
  // superuser_reserved_connections (3) below it, as Postgres requires.
  max_connections: '5',
  // Per sort/hash and per index build: analytics queries sort a few thousand rows at most.
  work_mem: '2MB',
  maintenance_work_mem: '16MB',
  temp_buffers: '1MB',
};

/**
 * V8 flags for the database process. Its JavaScript heap holds only the socket server's
 * buffers; a small young generation keeps the garbage of that traffic from piling up.
 */
export const EMBEDDED_PG_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * The server process's program, run with `node -e` so it needs no file of its own and behaves
 * the same from dist/ and from the TypeScript sources under test.
 * argv: mode (init | serve), PGDATA, socket path, PGlite module, pglite-socket module, Postgres
 * settings (JSON object, passed as `-c name=value` after PGlite's own start parameters).
 * It ignores SIGINT/SIGTERM: a Ctrl-C reaches the whole process group, and the database must
 * outlive the gateway's graceful shutdown (in-flight requests still write). It stops when told
 * to, or when the gateway is gone (the IPC channel closes), so it never outlives it.
 */
const SERVER_PROGRAM = `
'use strict';
const [, mode, pgData, socketPath, pglitePath, socketServerPath, settingsJson] = process.argv;
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
(async () => {
  const { PGlite } = require(pglitePath);
  const settings = Object.entries(JSON.parse(settingsJson)).flatMap(([k, v]) => ['-c', k + '=' + v]);
  const db = await PGlite.create({
    dataDir: pgData,
    startParams: [...PGlite.defaultStartParams, ...settings],
  });
  if (mode === 'init') {
    await db.close();
    process.exit(0);
  }
  const { PGLiteSocketServer } = require(socketServerPath);
  const server = new PGLiteSocketServer({ db, path: socketPath });
  await server.start();
  let stopping;
  const stop = () => (stopping ??= (async () => {
    try { await server.stop(); await db.close(); process.exit(0); }
    catch (e) { console.error(e && e.stack || e); process.exit(1); }
  })());
  process.on('message', (m) => { if (m === 'stop') stop(); });
  process.on('disconnect', stop);
  process.send('ready');
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
`;

/**
 * PGlite (Postgres compiled to WASM, persisted in DATA_DIR) served on a unix socket so the
 * ordinary `pg` driver, and TypeORM on top of it, run unchanged. PGlite is single-connection:
 * callers must use a pool of one connection.
 *
 * It runs in a child process of the gateway: its WASM execution and synchronous file writes
 * then use another core instead of the event loop that serves requests (they were a tenth of
 * the gateway's CPU under load, a fifth of a lone request's), and its memory (~200 MB with
 * EMBEDDED_PG_SETTINGS, ~350 MB with PGlite's stock ones) is accounted to it rather than to the
 * gateway. A fresh data directory is initialised by a short-lived process first: initdb leaves
 * ~450 MB behind in the process that ran it.
 */
export class EmbeddedPostgres {
  private stopping = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
    /** Directory holding `.s.PGSQL.5432`; pass it as the pg `host`. */
    readonly socketDir: string,
    stderr: () => string,
  ) {
    void exited.then(() => {
      if (this.stopping) return;
      // Queries fail from now on and the readiness check reports it; say why, once.
      new Logger('Postgres').error(
        `Embedded PGlite exited unexpectedly (${child.exitCode ?? child.signalCode}): ${stderr()}`,
      );
    });
  }

  /** The server process, for monitoring (its memory is not the gateway's). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const pgData = path.join(dataDir, 'pglite');
    mkdirSync(pgData, { recursive: true });
    const socketDir = socketDirFor(dataDir);
    mkdirSync(socketDir, { recursive: true });
    const socketPath = path.join(socketDir, '.s.PGSQL.5432');
    // A socket file left by a crashed run would make listen() fail with EADDRINUSE.
    if (existsSync(socketPath)) rmSync(socketPath);

    if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
      const init = launch('init', pgData, socketPath);
      await init.exited;
      if (init.child.exitCode !== 0) {
        throw new Error(`Embedded PGlite failed to initialise ${pgData}: ${init.stderr()}`);
      }
    }
    const server = launch('serve', pgData, socketPath);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        server.child.kill('SIGKILL');
        reject(new Error(`Embedded PGlite did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      server.child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      void server.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`Embedded PGlite exited during startup: ${server.stderr()}`));
      });
    });
    return new EmbeddedPostgres(server.child, server.exited, socketDir, server.stderr);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    if (this.child.connected) this.child.send('stop');
    else this.child.kill('SIGKILL');
    await this.exited;
    clearTimeout(timer);
  }
}

function launch(mode: 'init' | 'serve', pgData: string, socketPath: string) {
  const child = spawn(
    process.execPath,
    [
      ...EMBEDDED_PG_NODE_FLAGS,
      '-e',
      SERVER_PROGRAM,
      mode,
      pgData,
      socketPath,
      require.resolve('@electric-sql/pglite'),
      require.resolve('@electric-sql/pglite-socket'),
      JSON.stringify(EMBEDDED_PG_SETTINGS),
    ],
    // No execArgv of ours (inspector, profiler, test-runner flags) and no stdout chatter.
    // The process environment is handed down as is (PATH, locale): the child reads no config.
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: process.env },
  );
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    tail = (tail + s).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (e) => {
      tail += `\n${e.message}`;
      resolve();
    });
  });
  return { child, exited, stderr: () => tail.trim() || '(no output)' };
}

function socketDirFor(dataDir: string): string {
  const local = path.join(dataDir, 'run');
  if (local.length <= MAX_SOCKET_DIR_LENGTH) return local;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `aimw-${digest}`);
}
