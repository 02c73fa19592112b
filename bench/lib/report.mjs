// The Markdown report: load scenarios, slow concurrent streams, embedded-mode memory, sequential
// single requests, and issue 19's targets as ratios (absolute times depend on the machine;
// ratios travel better).

import { FLOOR_LABELS } from '../floor/kinds.mjs';

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const mark = (ok) => (ok === undefined ? '' : ok ? 'yes' : '**no**');

export function renderReport({ meta, load, streams = [], idle, sequential, targets }) {
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

  if (streams.length > 0) {
    lines.push('## Slow concurrent streams', '');
    lines.push(
      `N clients, each on its own keep-alive connection, run streaming chat completions back to back; ` +
        `the mock answers each in ${meta.streamChunks} content chunks ${meta.streamChunkDelayMs} ms apart. ` +
        'First token = the first SSE event with non-empty `delta.content` (not the first byte). A stream ' +
        'fails on a non-2xx, a connection error or timeout, an error event, or an end without `data: [DONE]`. ' +
        'CPU is user+system time of the serving process per completed stream.',
      '',
    );
    lines.push(
      '| target | streams at once | completed | streams/s | first token p50 / p99 ms | total p50 / p99 ms | server CPU ms/stream | peak RSS MB | failed |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of streams) {
      lines.push(
        `| ${r.label} | ${r.streams} | ${r.ok} | ${fmt(r.streamsPerS, 0)} | ` +
          `${fmt(r.firstToken.p50, 1)} / ${fmt(r.firstToken.p99, 1)} | ${fmt(r.total.p50, 0)} / ${fmt(r.total.p99, 0)} | ` +
          `${withDb(r.cpuMsPerStream, r.dbCpuMsPerStream, 2)} | ${withDb(r.rssMb, r.dbRssMb, 0)} | ` +
          `${r.failed}${
            r.failed > 0
              ? ` (${Object.entries(r.failures)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join('; ')})`
              : ''
          } |`,
      );
    }
    lines.push('');
  }

  const high = load.find((r) => r.id === 'gw-high');
  if (idle?.dbMb !== undefined || high?.dbRssMb !== undefined) {
    lines.push('## Embedded mode memory (gateway + its PGlite process)', '');
    lines.push(
      'Idle: VmRSS once both processes are quiet after boot, before any request. Under load: the sum of ' +
        "each process's peak (VmHWM, reset before the scenario), an upper bound of their peak together. " +
        'RSS counts the pages both `node` processes share (the node binary, shared libraries) twice; the ' +
        'PSS column (smaps_rollup) counts them once. The targets use the RSS sum.',
      '',
    );
    lines.push('| when | gateway MB | database MB | sum MB | sum of PSS MB |');
    lines.push('|---|---:|---:|---:|---:|');
    if (idle?.dbMb !== undefined) {
      lines.push(
        `| idle after boot | ${fmt(idle.gatewayMb, 0)} | ${fmt(idle.dbMb, 0)} | ${fmt(idle.gatewayMb + idle.dbMb, 0)} | ` +
          `${fmt(idle.gatewayPssMb + idle.dbPssMb, 0)} |`,
      );
    }
    if (high?.dbRssMb !== undefined) {
      lines.push(
        `| peak at ${high.connections} connections | ${fmt(high.rssMb, 0)} | ${fmt(high.dbRssMb, 0)} | ${fmt(high.rssMb + high.dbRssMb, 0)} | |`,
      );
    }
    lines.push('');
  }

  lines.push('## Targets (issue 19)', '');
  lines.push(
    'Every target of the issue, measured in this run (a target whose scenario was skipped is listed as ' +
      'not measured); the floor servers, which forward with no gateway feature, are beside them.',
    '',
  );
  lines.push('| target | measured | met |');
  lines.push('|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.measured} | ${mark(t.ok)} |`);
  lines.push('');
  return lines.join('\n');
}

const NOT_MEASURED = { measured: 'not measured in this run', ok: undefined };

/**
 * Issue 19's targets, computed from the results; `ok` undefined = not measured (or a reference
 * row). `streams` holds the slow-stream rows, `idle` the embedded mode's memory after boot.
 */
export function evaluateTargets(byId, seq, streams = [], idle) {
  const out = [];
  const add = (name, row) => out.push({ name, ...row });

  // --- slow concurrent streams, per N ---
  const counts = [...new Set(streams.map((r) => r.streams))];
  if (counts.length === 0) {
    for (const name of [
      'streams: gateway CPU per stream <= 0.5x Portkey',
      "streams: first-token p99 lower than Portkey's",
      'streams: no failed stream',
      "streams: gateway peak RSS <= Portkey's",
    ])
      add(name, NOT_MEASURED);
  }
  for (const n of counts) {
    const gw = streams.find((r) => r.id === 'gw-streams' && r.streams === n);
    const pk = streams.find((r) => r.id === 'portkey-streams' && r.streams === n);
    const both = gw && pk;
    const x = both ? ratio(gw.cpuMsPerStream, pk.cpuMsPerStream) : NaN;
    add(
      `${n} streams: gateway CPU per stream <= 0.5x Portkey`,
      both
        ? {
            measured:
              `${fmt(x)}x (${fmt(gw.cpuMsPerStream)} vs ${fmt(pk.cpuMsPerStream)} ms` +
              `${gw.dbCpuMsPerStream === undefined ? '' : `; +${fmt(gw.dbCpuMsPerStream)} ms in the db process`})`,
            ok: x <= 0.5,
          }
        : NOT_MEASURED,
    );
    add(
      `${n} streams: first-token p99 lower than Portkey's`,
      both
        ? {
            measured: `${fmt(ratio(gw.firstToken.p99, pk.firstToken.p99))}x (${fmt(gw.firstToken.p99, 1)} vs ${fmt(pk.firstToken.p99, 1)} ms)`,
            ok: gw.firstToken.p99 < pk.firstToken.p99,
          }
        : NOT_MEASURED,
    );
    add(
      `${n} streams: no failed stream (gateway)`,
      gw
        ? {
            measured: `${gw.failed} of ${gw.ok + gw.failed}${pk ? ` (Portkey: ${pk.failed} of ${pk.ok + pk.failed})` : ''}`,
            ok: gw.failed === 0,
          }
        : NOT_MEASURED,
    );
    add(
      `${n} streams: gateway peak RSS <= Portkey's`,
      both
        ? {
            measured: `${fmt(ratio(gw.rssMb, pk.rssMb))}x (${fmt(gw.rssMb, 0)} vs ${fmt(pk.rssMb, 0)} MB; gateway process only)`,
            ok: gw.rssMb <= pk.rssMb,
          }
        : NOT_MEASURED,
    );
    for (const f of streams.filter((r) => r.id.startsWith('floor-') && r.streams === n)) {
      add(`reference, ${n} streams: ${f.label}`, {
        measured:
          `CPU ${fmt(f.cpuMsPerStream)} ms/stream` +
          (pk ? ` (${fmt(ratio(f.cpuMsPerStream, pk.cpuMsPerStream))}x Portkey)` : '') +
          `, first-token p99 ${fmt(f.firstToken.p99, 1)} ms, peak RSS ${fmt(f.rssMb, 0)} MB, failed ${f.failed}`,
        ok: undefined,
      });
    }
  }

  // --- non-stream at 50 connections ---
  const gw = byId.gw;
  const pk = byId.portkey;
  const rpsX = gw && pk ? ratio(gw.rps, pk.rps) : NaN;
  add(
    `non-stream: RPS at ${gw?.connections ?? 50} connections >= 2.5x Portkey`,
    gw && pk
      ? {
          measured: `${fmt(rpsX)}x (${fmt(gw.rps, 0)} vs ${fmt(pk.rps, 0)}; CPU/req ${fmt(ratio(gw.cpuMsPerReq, pk.cpuMsPerReq))}x Portkey's)`,
          ok: rpsX >= 2.5,
        }
      : NOT_MEASURED,
  );
  add(
    "non-stream: p99 lower than Portkey's",
    gw && pk
      ? {
          measured: `${fmt(ratio(gw.p99, pk.p99))}x (${fmt(gw.p99)} vs ${fmt(pk.p99)} ms)`,
          ok: gw.p99 < pk.p99,
        }
      : NOT_MEASURED,
  );
  if (gw)
    add('non-stream: zero errors (gateway)', { measured: `${gw.errors}`, ok: gw.errors === 0 });
  for (const [id, row] of Object.entries(byId)) {
    if (!id.startsWith('floor-') || !pk) continue;
    add(`reference: ${row.label}, RPS vs Portkey`, {
      measured: `${fmt(ratio(row.rps, pk.rps))}x (CPU ${fmt(row.cpuMsPerReq, 3)} ms/req)`,
      ok: undefined,
    });
  }
  if (seq?.byName.gateway && seq.byName.direct) {
    const over = seq.byName.gateway.totalMs - seq.byName.direct.totalMs;
    add('non-stream: sequential overhead over the direct call <= 1.0 ms', {
      measured: `${fmt(over, 3)} ms`,
      ok: over <= 1.0,
    });
    if (seq.byName.portkey) {
      add('reference: Portkey overhead, same method', {
        measured: `${fmt(seq.byName.portkey.totalMs - seq.byName.direct.totalMs, 3)} ms`,
        ok: undefined,
      });
    }
    for (const kind of Object.keys(FLOOR_LABELS)) {
      if (!seq.byName[kind]) continue;
      add(`reference: floor ${FLOOR_LABELS[kind]} overhead, same method`, {
        measured: `${fmt(seq.byName[kind].totalMs - seq.byName.direct.totalMs, 3)} ms`,
        ok: undefined,
      });
    }
  } else {
    add('non-stream: sequential overhead over the direct call <= 1.0 ms', NOT_MEASURED);
  }

  // --- embedded mode ---
  const high = byId['gw-high'];
  if (high && high.dbRssMb !== undefined) {
    const sum = high.rssMb + high.dbRssMb;
    add(`embedded: gateway + database peak RSS at ${high.connections} connections <= 400 MB`, {
      measured: `${fmt(sum, 0)} MB (${fmt(high.rssMb, 0)} + ${fmt(high.dbRssMb, 0)})`,
      ok: sum <= 400,
    });
  } else {
    add('embedded: gateway + database peak RSS at 200 connections <= 400 MB', NOT_MEASURED);
  }
  if (idle?.gatewayMb !== undefined && idle.dbMb !== undefined) {
    const sum = idle.gatewayMb + idle.dbMb;
    add('embedded: gateway + database idle RSS <= 200 MB', {
      measured: `${fmt(sum, 0)} MB (${fmt(idle.gatewayMb, 0)} + ${fmt(idle.dbMb, 0)})`,
      ok: sum <= 200,
    });
  } else {
    add('embedded: gateway + database idle RSS <= 200 MB', NOT_MEASURED);
  }

  // --- cache ---
  const hit = byId['cache-hit'];
  const miss = byId['cache-miss'];
  if (hit && miss) {
    const x = ratio(hit.rps, miss.rps);
    add(`cache: hit RPS >= 3x miss RPS at ${hit.connections} connections`, {
      measured: `${fmt(x)}x (${fmt(hit.rps, 0)} vs ${fmt(miss.rps, 0)}; CPU/req ${fmt(hit.cpuMsPerReq, 3)} vs ${fmt(miss.cpuMsPerReq, 3)} ms)`,
      ok: x >= 3,
    });
  } else {
    add('cache: hit RPS >= 3x miss RPS at 50 connections', NOT_MEASURED);
  }
  return out;
}
