import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/** Unix socket paths are limited to ~107 bytes; the pg driver appends `/.s.PGSQL.5432`. */
const MAX_SOCKET_DIR_LENGTH = 80;

/**
 * PGlite (Postgres compiled to WASM, persisted in DATA_DIR) served on a unix socket so the
 * ordinary `pg` driver, and TypeORM on top of it, run unchanged. PGlite is single-connection:
 * callers must use a pool of one connection.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    /** Directory holding `.s.PGSQL.5432`; pass it as the pg `host`. */
    readonly socketDir: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const pgData = path.join(dataDir, 'pglite');
    mkdirSync(pgData, { recursive: true });
    const socketDir = socketDirFor(dataDir);
    mkdirSync(socketDir, { recursive: true });
    const socketPath = path.join(socketDir, '.s.PGSQL.5432');
    // A socket file left by a crashed run would make listen() fail with EADDRINUSE.
    if (existsSync(socketPath)) rmSync(socketPath);

    const db = await PGlite.create({ dataDir: pgData });
    const server = new PGLiteSocketServer({ db, path: socketPath });
    await server.start();
    return new EmbeddedPostgres(db, server, socketDir);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}

function socketDirFor(dataDir: string): string {
  const local = path.join(dataDir, 'run');
  if (local.length <= MAX_SOCKET_DIR_LENGTH) return local;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `aimw-${digest}`);
}
