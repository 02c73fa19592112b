// Child processes of the benchmark: the mock upstream, the gateway and Portkey. Every process
// started here is tracked and stopped by its pid, on success, on failure and on Ctrl-C.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

const children = new Set();

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <args>` with its output going to `logFile` (a file, not a pipe: a chatty process
 * must not be slowed down by, or block on, the benchmark reading its logs).
 */
export function startNode(name, args, { env, cwd, logFile }) {
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const proc = {
    name,
    child,
    pid: child.pid,
    logFile,
    exited: false,
    exitCode: null,
    exitPromise: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        proc.exited = true;
        proc.exitCode = code ?? signal;
        children.delete(proc);
        resolve();
      });
    }),
  };
  children.add(proc);
  return proc;
}

export function logTail(proc, lines = 30) {
  try {
    return readFileSync(proc.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `url` until it answers 2xx (any status when `anyStatus`), the process dies, or time runs out. */
export async function waitReady(proc, url, { timeoutMs = 90_000, anyStatus = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited) {
      throw new Error(
        `${proc.name} exited (${proc.exitCode}) before it was ready:\n${logTail(proc)}`,
      );
    }
    const status = await probe(url);
    if (status !== undefined && (anyStatus || (status >= 200 && status < 300))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} was not ready after ${timeoutMs} ms:\n${logTail(proc)}`);
}

function probe(url) {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** SIGTERM (graceful: the gateway drains and writes its CPU profile), SIGKILL after a grace period. */
export async function stop(proc, graceMs = 15_000) {
  if (proc.exited) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!proc.exited) proc.child.kill('SIGKILL');
  }, graceMs);
  await proc.exitPromise;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...children].map((p) => stop(p)));
}

/** Last resort on an abrupt exit of the benchmark itself: no orphan keeps a port or a core. */
export function killAllNow() {
  for (const p of children) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// ---------------------------------------------------------------------------------------------
// /proc sampling (Linux)

function readStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return {};
  }
}

/** Current resident memory of `pid` in MB (VmRSS), undefined when it cannot be read. */
export function rssMb(pid) {
  const { rssKb } = readStatus(pid);
  return rssKb === undefined ? undefined : rssKb / 1024;
}

/**
 * Proportional set size of `pid` in MB (smaps_rollup): pages shared with other processes (the
 * node binary's code, shared libraries) counted by share, so the gateway and its database
 * process, both `node`, are not charged twice for them. Undefined when it cannot be read.
 */
export function pssMb(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (e.g. the gateway's embedded database server). */
export function childPids(pid) {
  const out = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

/** utime + stime of a process, in clock ticks (1/100 s on Linux). */
export function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Peak resident memory of `pid` over a phase. The kernel's own high-water mark (VmHWM) is reset
 * at the start when it can be (writing 5 to clear_refs); VmRSS is also sampled as a fallback.
 */
export function rssTracker(pid) {
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    // not permitted: the sampled maximum is used
  }
  let sampledKb = readStatus(pid).rssKb ?? 0;
  const timer = setInterval(() => {
    sampledKb = Math.max(sampledKb, readStatus(pid).rssKb ?? 0);
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      const s = readStatus(pid);
      const peak = Math.max(sampledKb, s.rssKb ?? 0, hwmReset ? (s.hwmKb ?? 0) : 0);
      return peak / 1024;
    },
  };
}

/**
 * Waits until every process in `pids` is (nearly) idle, so work left over from one scenario
 * (buffered metrics, background writes, GC) does not bill the next one. Gives up after `maxMs`.
 */
export async function waitIdle(pids, { windowMs = 300, maxTicks = 3, maxMs = 10_000 } = {}) {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = pids.map(cpuTicks);
    await new Promise((r) => setTimeout(r, windowMs));
    const after = pids.map(cpuTicks);
    const busy = after.some((a, i) => a !== undefined && a - (before[i] ?? a) > maxTicks);
    if (!busy) return;
  }
}
