import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const LOCK_FILE_NAME = 'gateway.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another gateway (pid ${pid}) is already running on DATA_DIR ${dataDir}; ` +
        'stop it or set another DATA_DIR',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Takes DATA_DIR for this process: the embedded database there serves one process only, and a
 * second one breaks the first. The lock file holds the owner's pid; it is created exclusively
 * (`wx`), and a lock whose pid is no longer alive (a crash, a SIGKILL) is taken over. Returns
 * the release function (it removes the file only while it is still ours). Throws
 * DataDirLockedError while a live process holds it.
 */
export function acquireDataDirLock(dataDir: string, pid: number = process.pid): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE_NAME);
  // Two attempts: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx' });
      return () => {
        if (readPid(file) === pid) rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readPid(file);
    if (owner !== undefined && owner !== pid && isAlive(owner)) {
      throw new DataDirLockedError(dataDir, owner);
    }
    // Stale (dead owner, our own pid reused after a restart, or unreadable): take it over.
    rmSync(file, { force: true });
  }
  // Another process took the stale lock between our removal and our retry.
  throw new DataDirLockedError(dataDir, readPid(file) ?? 0);
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
