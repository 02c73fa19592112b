import { setTimeout as delay } from 'node:timers/promises';
import type { FaultProxy } from '../../support/fault-proxy';
import type { GatewayProcess } from './gateway-process';
import { Load, tally, type Sent } from './load';
import { startGateway } from './gateway-process';
import { nothingLost, type Audit, type Auditor } from './stores';
import { waitFor } from './wait';

/** The outage the issue measured with: long enough for retries, caches and pools to give up. */
export const OUTAGE_MS = 10_000;

/**
 * Holds a fault for `ms` while the load keeps running: the outage's length is the scenario
 * itself, not a guess at how long something takes. Restores the service afterwards.
 */
export async function outage(
  proxy: FaultProxy,
  kind: 'refuse' | 'blackhole',
  ms = OUTAGE_MS,
): Promise<void> {
  if (kind === 'refuse') await proxy.refuse();
  else proxy.blackhole();
  try {
    await delay(ms);
  } finally {
    await proxy.restore();
  }
}

/**
 * Waits until every answered request is found in the stores (post-answer work may still be
 * draining after a fault), then returns the audit; on timeout, returns the last audit so the
 * assertion shows what is missing.
 */
export async function settledAudit(
  reader: Auditor,
  org: string,
  sent: Sent[],
  timeoutMs = 30_000,
): Promise<Audit> {
  let last: Audit | undefined;
  try {
    await waitFor(
      'every answered request to be stored',
      async () => {
        last = await reader.audit(org, sent);
        return nothingLost(last);
      },
      { timeoutMs, everyMs: 250 },
    );
  } catch {
    // fall through: the caller's expectation prints the counts
  }
  return last ?? reader.audit(org, sent);
}

/** The fault suite's measured outcome of one scenario, printed for the report. */
export function report(name: string, sent: Sent[], audit: Audit, extra = ''): void {
  const line = `[fault] ${name}: ${JSON.stringify(tally(sent))} -> ${JSON.stringify(audit)}${extra}`;
  process.stdout.write(`${line}\n`);
}

/** Statuses other than 200 and dropped connections, which every scenario must explain. */
export function unexpected(sent: Sent[], allowed: (s: Sent) => boolean): Sent[] {
  return sent.filter((s) => s.status !== 200 && s.status !== 'network' && !allowed(s));
}

/** A database fault may cost a request, but only as 503 SERVICE_UNAVAILABLE with Retry-After. */
export const isStoreUnavailable = (s: Sent): boolean =>
  s.status === 503 &&
  (s.code === 'SERVICE_UNAVAILABLE' || s.code === 'service_unavailable') &&
  !!s.retryAfter;

/** What every post-answer scenario asserts: nothing answered is missing or doubled. */
export const ZERO_LOSS = {
  lostExchanges: 0,
  duplicatedExchanges: 0,
  lostCallLogs: 0,
  duplicatedCallLogs: 0,
  lostUsageRows: 0,
  duplicatedUsageRows: 0,
};

/** A running gateway that a scenario may replace (kill -9 and restart). */
export interface Target {
  gw: GatewayProcess;
  env: Record<string, string>;
  auditor: Auditor;
  run: string;
}

/**
 * kill -9 while completions run, restart on the same environment (and DATA_DIR), then audit
 * every request that was answered before the crash.
 */
export async function killUnderLoad(
  t: Target,
  org: string,
  agentId: string,
  answeredBeforeKill = 80,
): Promise<{ sent: Sent[]; audit: Audit }> {
  const load = new Load({ url: () => t.gw.url, org, agentId, run: t.run, concurrency: 8 }).start();
  await load.answered(answeredBeforeKill);
  const killed = t.gw.kill9();
  const sent = await load.stop();
  await killed;
  t.gw = await startGateway({ ...t.env, DATA_DIR: t.gw.dataDir });
  return { sent, audit: await settledAudit(t.auditor, org, sent) };
}

/** A 10 s outage of one service while completions run; audits every answered request. */
export async function outageUnderLoad(
  t: Target,
  proxy: FaultProxy,
  kind: 'refuse' | 'blackhole',
  org: string,
  agentId: string,
  opts: { threads?: boolean; outageMs?: number } = {},
): Promise<{ sent: Sent[]; audit: Audit }> {
  const load = new Load({
    url: () => t.gw.url,
    org,
    agentId,
    run: t.run,
    concurrency: 4,
    threads: opts.threads,
  }).start();
  await load.answered(20);
  await outage(proxy, kind, opts.outageMs);
  try {
    await load.answered(20);
  } catch (e) {
    // Probed before the load stops: whether the process still answers, and what it reports.
    const probes = await probeGateway(t.gw);
    await load.stop();
    throw new Error(
      `${(e as Error).message}\n${probes}\nthe gateway said:\n${gatewayErrors(t.gw)}`,
    );
  }
  const sent = await load.stop();
  return { sent, audit: await settledAudit(t.auditor, org, sent) };
}

/** Liveness and readiness of a gateway that stopped answering: stalled loop, or a stuck store? */
async function probeGateway(gw: GatewayProcess): Promise<string> {
  const probe = async (path: string) => {
    const started = Date.now();
    try {
      const res = await fetch(`${gw.url}${path}`, { signal: AbortSignal.timeout(5_000) });
      return `${path}: ${res.status} in ${Date.now() - started} ms ${(await res.text()).slice(0, 600)}`;
    } catch (e) {
      return `${path}: no answer after ${Date.now() - started} ms (${(e as Error).message})`;
    }
  };
  return `probes: ${await probe('/health/live')}\n        ${await probe('/health/ready')}`;
}

/** The distinct error messages in the gateway's recent output (JSON log lines), for a failure. */
function gatewayErrors(gw: GatewayProcess): string {
  const seen = new Map<string, number>();
  for (const line of gw.output().split('\n')) {
    try {
      const entry = JSON.parse(line) as {
        msg?: string;
        error?: { type?: string; message?: string };
      };
      const key = `${entry.msg ?? ''}${entry.error ? ` [${entry.error.type}: ${entry.error.message}]` : ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    } catch {
      if (line.trim()) seen.set(line.slice(0, 300), (seen.get(line.slice(0, 300)) ?? 0) + 1);
    }
  }
  return [...seen].map(([msg, n]) => `  ${n}x ${msg.slice(0, 400)}`).join('\n');
}

export { Load, tally };
export type { GatewayProcess };
