/**
 * What the mock remembers between requests: the recorded requests (when recording is on), the
 * fail-first counter per directive `key`, and the `waitFor` callers waiting for a request.
 */
import type * as http from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON body (the raw string when it is not JSON, `undefined` when empty). */
  body: unknown;
  /** The `key` directive of the request, when it had one. */
  key?: string;
  /** The API key the client presented (`Authorization: Bearer …` or `x-api-key`). */
  credential?: string;
  /** `Date.now()` when the request was received. */
  at: number;
  /** HTTP status the mock answered (set once the headers are sent). */
  status?: number;
  /** True when the client went away before the response was complete (abort, timeout). */
  aborted?: boolean;
}

/** What the mock answers every chat request presenting one API key (see `failCredential`). */
export interface CredentialFailure {
  status: number;
  /** Sent as `retry-after` (seconds). */
  retry_after?: number;
  /** Sent as `retry-after-ms`. */
  retry_after_ms?: number;
}

export interface RequestFilter {
  key?: string;
  /** Only requests that presented this API key. */
  credential?: string;
  /** Exact path or a path suffix, e.g. `/chat/completions`. */
  path?: string;
}

export function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(h)) {
    const v = h[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

interface Waiter {
  predicate: (r: RecordedRequest) => boolean;
  resolve: (r: RecordedRequest) => void;
}

export class MockState {
  readonly recorded: RecordedRequest[] = [];
  readonly failCounts = new Map<string, number>();
  /** Failures set per API key: every request presenting it gets this answer until restored. */
  readonly credentialFailures = new Map<string, CredentialFailure>();
  private readonly waiters = new Set<Waiter>();

  constructor(
    readonly record: boolean,
    readonly maxRecorded: number,
  ) {}

  add(rec: RecordedRequest): void {
    this.recorded.push(rec);
    if (this.recorded.length > this.maxRecorded)
      this.recorded.splice(0, this.recorded.length - this.maxRecorded);
    this.notify(rec);
  }

  notify(rec: RecordedRequest): void {
    if (this.waiters.size === 0) return;
    for (const w of this.waiters) {
      if (w.predicate(rec)) {
        this.waiters.delete(w);
        w.resolve(rec);
      }
    }
  }

  filter(f: RequestFilter = {}): RecordedRequest[] {
    return this.recorded.filter(
      (r) =>
        (f.key === undefined || r.key === f.key) &&
        (f.credential === undefined || r.credential === f.credential) &&
        (f.path === undefined || r.path === f.path || r.path.endsWith(f.path)),
    );
  }

  clear(key?: string): number {
    if (key === undefined) {
      const n = this.recorded.length;
      this.recorded.length = 0;
      this.failCounts.clear();
      return n;
    }
    this.failCounts.delete(key);
    const keep = this.recorded.filter((r) => r.key !== key);
    const n = this.recorded.length - keep.length;
    this.recorded.length = 0;
    this.recorded.push(...keep);
    return n;
  }

  /** Resolves with the first recorded request matching `predicate`, already there or future. */
  waitFor(predicate: (r: RecordedRequest) => boolean, timeoutMs: number): Promise<RecordedRequest> {
    const hit = this.recorded.find(predicate);
    if (hit) return Promise.resolve(hit);
    return new Promise<RecordedRequest>((resolve, reject) => {
      const w: Waiter = {
        predicate,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`mock upstream: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }
}
