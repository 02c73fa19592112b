// Polls GET /health/live back to back from its own process and reports the slowest answer.
// A request that blocks the gateway's event loop delays every poll made meanwhile, so the
// slowest poll while that request ran is how long it blocked the gateway for every tenant.
//
// Protocol (IPC): the parent sends { type: 'reset' } -> { type: 'reset-done' }, and
// { type: 'report' } -> { type: 'report', maxMs, polls } once a poll that started after the
// report was asked for has finished (so a poll stuck behind a blocked loop is counted).
import { Agent, request } from 'node:http';

const url = new URL(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let maxMs = 0;
let polls = 0;
let pollSeq = 0;
let waiting = []; // report requests: { afterSeq }
let stopped = false;

function pollOnce() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = request(
      { host: url.hostname, port: url.port, path: '/health/live', agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
      },
    );
    req.on('error', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
    req.end();
  });
}

async function loop() {
  while (!stopped) {
    const seq = ++pollSeq;
    const ms = await pollOnce();
    polls++;
    if (ms > maxMs) maxMs = ms;
    const ready = waiting.filter((w) => seq > w.afterSeq);
    waiting = waiting.filter((w) => seq <= w.afterSeq);
    for (const _ of ready) process.send({ type: 'report', maxMs, polls });
  }
  agent.destroy();
}

process.on('message', (m) => {
  if (m.type === 'reset') {
    maxMs = 0;
    polls = 0;
    process.send({ type: 'reset-done' });
  } else if (m.type === 'report') {
    waiting.push({ afterSeq: pollSeq });
  } else if (m.type === 'stop') {
    stopped = true;
  }
});
process.on('disconnect', () => {
  stopped = true;
});
void loop();
