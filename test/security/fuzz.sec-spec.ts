import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { buildCorpus, type FuzzCase } from './fuzz/corpus';
import { responseProblem } from './support/envelope';
import { sendRaw } from './support/raw-http';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/**
 * The seeded fuzz corpus: thousands of malformed requests across the management, completion
 * and list routes. None may answer 5xx, every 4xx is in the envelope with the request id, and
 * every response carries the security headers. Replay a failure with FUZZ_SEED=<seed>;
 * FUZZ_REPORT=<file> writes every failure there as JSON.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const SIZE = Number(process.env.FUZZ_SIZE ?? 3200);
const CONCURRENCY = 6;
const BODY_LIMIT = 2 * 1024 * 1024;

interface Failure {
  label: string;
  request: string;
  problem: string;
}

describe(`fuzz corpus (seed ${SEED}, ${SIZE} requests)`, () => {
  let g: SecurityGateway;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  beforeAll(async () => {
    g = await startSecurityGateway({ BODY_LIMIT_BYTES: String(BODY_LIMIT) });
  });
  afterAll(async () => {
    agent.destroy();
    await g?.close();
  });

  it('never answers 5xx, and every refusal is in the envelope with the request id', async () => {
    const corpus = buildCorpus({ seed: SEED, size: SIZE, fx: g.fx, bodyLimit: BODY_LIMIT });
    const failures: Failure[] = [];
    const statuses = new Map<number, number>();
    let next = 0;

    const runOne = async (c: FuzzCase): Promise<void> => {
      const req = { ...c, body: c.lazyBody ? c.lazyBody() : c.body };
      try {
        const res = await sendRaw(g.gw.url, req, { agent, timeoutMs: 30_000 });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const problem = responseProblem(c.path, c.method, res);
        if (problem) failures.push({ label: c.label, request: describeRequest(req), problem });
      } catch (e) {
        failures.push({
          label: c.label,
          request: describeRequest(req),
          problem: `no response: ${(e as Error).message}`,
        });
      }
    };
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < corpus.length) await runOne(corpus[next++]);
      }),
    );

    const summary = [...statuses.entries()].sort(([a], [b]) => a - b);
    console.log(
      `[fuzz] seed ${SEED}: ${corpus.length} requests, statuses ${JSON.stringify(summary)}`,
    );
    if (process.env.FUZZ_REPORT)
      writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(failures, null, 1));
    if (failures.length > 0) {
      const shown = failures
        .slice(0, 25)
        .map((f) => `  ${f.label}\n    ${f.problem}\n    ${f.request}`)
        .join('\n');
      throw new Error(
        `${failures.length} of ${corpus.length} requests failed (replay with FUZZ_SEED=${SEED}):\n${shown}`,
      );
    }
    // The corpus must actually reach validation, not stop at the door.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(SIZE / 3);
  }, 600_000);
});

function describeRequest(req: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}): string {
  const headers = Object.entries(req.headers ?? {})
    .filter(([k]) => k !== 'authorization')
    .map(([k, v]) => `${k}: ${v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v}`);
  const body =
    req.body === undefined
      ? ''
      : ` body(${req.body.length}): ${JSON.stringify(req.body.toString().slice(0, 300))}`;
  return `${req.method} ${req.path.slice(0, 200)} [${headers.join('; ').slice(0, 300)}]${body}`;
}
