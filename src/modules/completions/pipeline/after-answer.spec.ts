import type { TokenBudget } from '../../throttling';
import { AfterAnswer } from './after-answer.service';
import { BackgroundTasks } from './background-tasks';
import type { CompletionJob, CompletionOutcome } from './completion-job';
import type { PostAnswerJournal } from './post-answer/post-answer.journal';
import type { PostAnswerRecord } from './post-answer/post-answer.record';

const job = (): CompletionJob => ({
  principal: { orgId: 'o', userId: 'u', scopes: [], via: 'jwt' },
  requestId: 'req-1',
  service: 'openai',
  model: 'gpt-4o-mini',
  fallbacks: [],
  messages: [{ role: 'user', content: 'hi' }],
  newMessages: [{ role: 'user', content: 'hi' }],
  params: {},
  serverTools: [],
  maxToolIterations: 0,
  thread: { threadId: 't' },
  cacheTtl: 0,
});

const usage = {
  input_tokens: 1,
  output_tokens: 2,
  total_tokens: 3,
  cached_tokens: 0,
  reasoning_tokens: 0,
  cost_usd: 0.01,
};
const outcome = {
  service: 'openai',
  model: 'gpt-4o-mini',
  usage,
  cached: false,
  produced: [{ role: 'assistant', content: 'hello' }],
} as unknown as CompletionOutcome;
const round = { service: 'openai', model: 'gpt-4o-mini', usage, latency_ms: 5, attempts: 1 };

function setup(commit: (r: PostAnswerRecord) => Promise<void>) {
  const committed: PostAnswerRecord[] = [];
  const tasks = new BackgroundTasks();
  const after = new AfterAnswer(
    tasks,
    {
      commit: async (r: PostAnswerRecord) => {
        await commit(r);
        committed.push(r);
      },
    } as unknown as PostAnswerJournal,
    { record: () => undefined } as unknown as TokenBudget,
  );
  return { after, tasks, committed };
}

describe('AfterAnswer', () => {
  it("commits an answer's exchange, call log and round usage as one record before resolving", async () => {
    const { after, committed } = setup(async () => undefined);
    const j = job();
    after.roundRecorder(j)(round);
    await after.succeeded(j, outcome, 12);
    expect(committed).toHaveLength(1);
    expect(committed[0]).toMatchObject({
      org_id: 'o',
      exchange: { thread_id: 't', messages: [{ role: 'user' }, { role: 'assistant', usage }] },
      call_log: { outcome: 'success', request_id: 'req-1' },
      usage: [{ status: 'success', input_tokens: 1 }],
    });
  });

  it('rejects when the record cannot be made durable; the rounds then go with the failure', async () => {
    let fail = true;
    const { after, tasks, committed } = setup(async () => {
      if (fail) throw new Error('no store');
    });
    const j = job();
    after.roundRecorder(j)(round);
    await expect(after.succeeded(j, outcome, 12)).rejects.toThrow('no store');
    fail = false;
    after.failed(j, new Error('no store'), 12);
    await tasks.drain();
    expect(committed).toHaveLength(1);
    expect(committed[0].exchange).toBeNull();
    expect(committed[0].usage.map((u) => u.status)).toEqual(['success', 'error']);
  });

  it("keeps the usage of a stream's finished rounds when its client leaves", async () => {
    const { after, tasks, committed } = setup(async () => undefined);
    const j = job();
    after.roundRecorder(j)(round);
    after.abandoned(j);
    await tasks.drain();
    expect(committed).toEqual([expect.objectContaining({ call_log: null, exchange: null })]);
    expect(committed[0].usage).toHaveLength(1);
  });
});
