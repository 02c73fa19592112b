import { startHookReceiver, type HookReceiver } from '../../live-config/receiver';
import type { StoreReader } from './stores';
import type { GatewayProcess } from './gateway-process';

export interface JobRow {
  id: string;
  status: string;
  attempts: number;
  error: { code: string } | null;
}

/** A webhook receiver that also tells which jobs it heard about (and how often). */
export class Hooks {
  private constructor(readonly receiver: HookReceiver) {}

  static async start(): Promise<Hooks> {
    return new Hooks(await startHookReceiver());
  }

  get url(): string {
    return this.receiver.url;
  }

  /** Deliveries by job id, in arrival order. */
  byJob(): Map<string, Array<{ status: string; error?: { code: string } }>> {
    const out = new Map<string, Array<{ status: string; error?: { code: string } }>>();
    for (const r of this.receiver.received) {
      const body = JSON.parse(r.body) as {
        job_id: string;
        status: string;
        error?: { code: string };
      };
      out.set(body.job_id, [...(out.get(body.job_id) ?? []), body]);
    }
    return out;
  }

  close(): Promise<void> {
    return this.receiver.close();
  }
}

/** Submits an async completion; the job id (202) or throws with what the gateway said. */
export async function submitJob(
  gw: GatewayProcess,
  token: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; jobId?: string; body: unknown }> {
  const res = await fetch(`${gw.url}/api/v2/model/chat/completion`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const parsed = (await res.json()) as { data?: { job_id: string } };
  return { status: res.status, jobId: parsed.data?.job_id, body: parsed };
}

/** The org's jobs as the job store (PostgreSQL) has them, read directly. */
export async function jobRows(reader: StoreReader, org: string): Promise<JobRow[]> {
  const db = reader.mongoDb;
  if (db) {
    const docs = await db
      .collection<{ _id: string; status: string; attempts: number; error: JobRow['error'] }>('jobs')
      .find({ org_id: org })
      .toArray();
    return docs.map((d) => ({ id: d._id, status: d.status, attempts: d.attempts, error: d.error }));
  }
  return reader.query<JobRow>(
    `SELECT id, status, attempts, error FROM jobs WHERE org_id = $1 ORDER BY id`,
    [org],
  );
}

export const FINAL = new Set(['completed', 'failed', 'dead']);
