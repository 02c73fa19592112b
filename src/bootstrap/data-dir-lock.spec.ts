import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE_NAME } from './data-dir-lock';

describe('acquireDataDirLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'aimw-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lockFile = () => path.join(dir, LOCK_FILE_NAME);

  /** A pid that belonged to a process which has exited. */
  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    return Number(r.stdout.toString());
  }

  it('writes our pid, refuses a second owner while we live, and releases', () => {
    const release = acquireDataDirLock(dir);
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
    const otherPid = deadPid();
    let err: unknown;
    try {
      acquireDataDirLock(dir, otherPid);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as Error).message).toBe(
      `Another gateway (pid ${process.pid}) is already running on DATA_DIR ${dir}; stop it or set another DATA_DIR`,
    );
    release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('takes over a lock left by a process that is gone', () => {
    writeFileSync(lockFile(), `${deadPid()}\n`);
    const release = acquireDataDirLock(dir);
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe(String(process.pid));
    release();
  });

  it('release leaves a lock another process has taken since', () => {
    const release = acquireDataDirLock(dir);
    writeFileSync(lockFile(), '999999999\n');
    release();
    expect(readFileSync(lockFile(), 'utf8').trim()).toBe('999999999');
  });
});
