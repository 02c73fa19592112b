import { createCache } from 'cache-manager';
import { ResponseCache } from '../../cache';
import type { AfterAnswer } from './after-answer.service';
import type { CompletionJob, CompletionOutcome } from './completion-job';
import { CompletionPipeline } from './completion-pipeline.service';
import type { ModelRunner } from './model-runner';

const outcome = {
  id: 'o1',
  service: 'openai',
  model: 'gpt-4o-mini',
  cached: false,
} as CompletionOutcome;

/** A cacheable job; two built alike share one cache key. */
const job = () =>
  ({
    principal: { orgId: 'org-1', userId: 'u1', scopes: [] },
    requestId: 'r',
    service: 'openai',
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    params: { temperature: 0 },
    serverTools: [],
    cacheTtl: 60,
  }) as unknown as CompletionJob;

describe('CompletionPipeline.complete with a client that leaves', () => {
  it("lets a single-flight follower make the call itself when the leader's client left", async () => {
    // The first provider call runs until its signal aborts; any later one answers at once.
    const signals: Array<AbortSignal | undefined> = [];
    const runner = {
      run: (_job: CompletionJob, signal: AbortSignal | undefined) => {
        signals.push(signal);
        if (signals.length > 1) return Promise.resolve(outcome);
        return new Promise<CompletionOutcome>((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('cancelled'))),
        );
      },
    } as unknown as ModelRunner;
    const failed = jest.fn();
    const abandoned = jest.fn();
    const succeeded = jest.fn(() => Promise.resolve());
    const after = {
      roundRecorder: () => () => undefined,
      succeeded,
      failed,
      abandoned,
    } as unknown as AfterAnswer;
    const cache = new ResponseCache(createCache());
    const flights = jest.spyOn(cache, 'singleFlight');
    const pipeline = new CompletionPipeline(runner, cache, after, {
      cacheTtlSeconds: 60,
    } as never);

    const leaderGone = new AbortController();
    const follower = new AbortController();
    const leader = pipeline.complete(job(), leaderGone.signal);
    const second = pipeline.complete(job(), follower.signal);
    // Both have joined the one flight (each awaits a cache miss first).
    while (flights.mock.calls.length < 2) await new Promise((r) => setImmediate(r));
    expect(signals).toHaveLength(1);

    leaderGone.abort();
    await expect(leader).rejects.toThrow('cancelled');
    // The follower's client is still there: it got an answer from a call of its own.
    await expect(second).resolves.toMatchObject({ id: 'o1', cached: false });
    expect(signals).toEqual([leaderGone.signal, follower.signal]);
    // The leader's client left: recorded as abandoned, not failed; the follower's answer as a success.
    expect(abandoned).toHaveBeenCalledTimes(1);
    expect(failed).not.toHaveBeenCalled();
    expect(succeeded).toHaveBeenCalledTimes(1);
  });
});
