// The Markdown report: one table of load scenarios, one of sequential single requests, and the
// issue's targets as ratios (absolute times depend on the machine; ratios travel better).

import { FLOOR_LABELS } from '../floor/kinds.mjs';

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const mark = (ok) => (ok === undefined ? '' : ok ? 'yes' : '**no**');

export function renderReport({ meta, load, sequential, targets }) {
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(
    `Run ${meta.date} on ${meta.machine}; Node ${meta.node}. ` +
      `Load: autocannon, ${meta.duration} s per scenario after ${meta.warmup} s of warm-up. ` +
      `Gateway: \`node ${meta.nodeOptions ? `${meta.nodeOptions} ` : ''}dist/main.js\`, NODE_ENV=production, LOG_LEVEL=${meta.logLevel}, ${meta.stores}, ` +
      `JWT auth, rate limits ${meta.rateLimit}/min per user and per thread, metrics and history on. ` +
      `Portkey ${meta.portkeyVersion} (\`--headless\`, NODE_ENV=production). Mock upstream with recording off. ` +
      'Load generator, mock and the gateway under test share the same machine ' +
      `(1-minute load average ${meta.loadavg}: other work on the machine skews absolute numbers; ` +
      'the CPU-per-request column is the steadier comparison).',
    '',
    'Latency percentiles leave out the first response of each connection (connection set-up under a ' +
      "saturated server); RPS counts every 2xx. CPU is the serving process's user+system time per " +
      'answered request; "db" is the embedded database process the gateway starts.',
    '',
  );

  lines.push('## Under load', '');
  lines.push(
    '| scenario | conns | RPS | RPS vs direct | p50 ms | p99 ms | TTFB p50/p99 ms | server CPU ms/req | peak RSS MB | errors / non-2xx |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const withDb = (v, db, digits) =>
    v === undefined
      ? ''
      : `${fmt(v, digits)}${db === undefined ? '' : ` (+${fmt(db, digits)} db)`}`;
  const direct = load.find((r) => r.id === 'direct');
  for (const r of load) {
    const ttfb = r.ttfb ? `${fmt(r.ttfb.p50)} / ${fmt(r.ttfb.p99)}` : '';
    lines.push(
      `| ${r.label} | ${r.connections} | ${fmt(r.rps, 0)} | ${fmt(ratio(r.rps, direct?.rps))}x | ` +
        `${fmt(r.p50)} | ${fmt(r.p99)} | ${ttfb} | ${withDb(r.cpuMsPerReq, r.dbCpuMsPerReq, 3)} | ` +
        `${withDb(r.rssMb, r.dbRssMb, 0)} | ` +
        `${r.errors} / ${r.non2xx} |`,
    );
  }
  lines.push('');

  if (sequential) {
    lines.push('## Sequential single requests (one connection, interleaved rounds)', '');
    lines.push(
      `${meta.rounds} rounds x ${meta.perRound} requests per target; each value is the median of the round medians.`,
      '',
    );
    lines.push('| target | total ms | minus direct ms | first byte ms | failures |');
    lines.push('|---|---:|---:|---:|---:|');
    for (const s of sequential.rows) {
      lines.push(
        `| ${s.label} | ${fmt(s.totalMs, 3)} | ${s.baseline ? fmt(s.totalMs - s.baseline.totalMs, 3) : ''} | ` +
          `${fmt(s.ttfbMs, 3)} | ${s.failures} |`,
      );
    }
    lines.push('');
  }

  lines.push('## Targets (issue 9)', '');
  lines.push('| target | measured | met |');
  lines.push('|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.measured} | ${mark(t.ok)} |`);
  lines.push('');
  return lines.join('\n');
}

/** The issue's targets, computed from the results (undefined = not measured in this run). */
export function evaluateTargets(byId, seq) {
  const out = [];
  const gw = byId.gw;
  const pk = byId.portkey;
  if (gw && pk) {
    const x = ratio(gw.rps, pk.rps);
    out.push({
      name: `RPS at ${gw.connections} connections >= 5x Portkey`,
      measured: `${fmt(x)}x`,
      ok: x >= 5,
    });
    out.push({
      name: 'p99 lower than Portkey',
      measured: `${fmt(ratio(gw.p99, pk.p99))}x Portkey's p99`,
      ok: gw.p99 < pk.p99,
    });
  }
  // The floor servers do nothing but forward: what any gateway on this stack could reach at most.
  for (const [id, row] of Object.entries(byId)) {
    if (!id.startsWith('floor-') || !pk) continue;
    out.push({
      name: `reference: ${row.label}, RPS vs Portkey`,
      measured: `${fmt(ratio(row.rps, pk.rps))}x (CPU ${fmt(row.cpuMsPerReq, 3)} ms/req)`,
      ok: undefined,
    });
  }
  if (gw) {
    out.push({ name: 'zero errors (gateway)', measured: `${gw.errors}`, ok: gw.errors === 0 });
  }
  if (seq?.byName.gateway && seq.byName.direct) {
    const over = seq.byName.gateway.totalMs - seq.byName.direct.totalMs;
    out.push({
      name: 'sequential overhead over direct <= 0.6 ms',
      measured: `${fmt(over, 3)} ms (${fmt(ratio(seq.byName.gateway.totalMs, seq.byName.direct.totalMs))}x direct)`,
      ok: over <= 0.6,
    });
    for (const kind of Object.keys(FLOOR_LABELS)) {
      if (!seq.byName[kind]) continue;
      out.push({
        name: `reference: floor ${kind} overhead, same method`,
        measured: `${fmt(seq.byName[kind].totalMs - seq.byName.direct.totalMs, 3)} ms`,
        ok: undefined,
      });
    }
    if (seq.byName.portkey) {
      const pkOver = seq.byName.portkey.totalMs - seq.byName.direct.totalMs;
      out.push({
        name: 'Portkey overhead, same method (reference)',
        measured: `${fmt(pkOver, 3)} ms`,
        ok: undefined,
      });
    }
  }
  const hit = byId['cache-hit'];
  const direct = byId.direct;
  if (seq?.byName['cache-hit'] && seq.byName.direct) {
    const r = ratio(seq.byName['cache-hit'].totalMs, seq.byName.direct.totalMs);
    out.push({
      name: 'cache hit faster than the direct call (sequential)',
      measured: `${fmt(r)}x direct`,
      ok: r < 1,
    });
  }
  if (hit && direct) {
    const r = ratio(hit.p50, direct.p50);
    out.push({
      name: `cache hit faster than the direct call (p50 at ${hit.connections} connections)`,
      measured: `${fmt(r)}x direct`,
      ok: r < 1,
    });
  }
  const high = byId['gw-high'];
  if (high) {
    out.push({
      name: `RSS < 250 MB at ${high.connections} connections (gateway process)`,
      measured: `${fmt(high.rssMb, 0)} MB`,
      ok: high.rssMb < 250,
    });
    if (high.dbRssMb !== undefined) {
      const total = high.rssMb + high.dbRssMb;
      out.push({
        name: `RSS < 250 MB at ${high.connections} connections (gateway + its embedded database process)`,
        measured: `${fmt(total, 0)} MB`,
        ok: total < 250,
      });
    }
  }
  return out;
}
