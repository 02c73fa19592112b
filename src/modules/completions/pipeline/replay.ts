import type { CompletionOutcome, PipelineEvent } from './completion-job';

/** Replays a cached answer as a stream: the same events a live call would have produced. */
export async function* replayAsEvents(o: CompletionOutcome): AsyncGenerator<PipelineEvent> {
  yield {
    type: 'start',
    id: o.id,
    service: o.service,
    model: o.model,
    created: o.created,
    ...(o.cached ? { cached: true as const } : {}),
  };
  for (const run of o.tool_runs) yield { type: 'tool_run', run };
  for (const [block, t] of (o.thinking ?? []).entries()) {
    if (t.type === 'redacted_thinking') yield { type: 'thinking', block, data: t.data };
    else {
      yield { type: 'thinking', block, thinking: t.thinking };
      yield { type: 'thinking', block, signature: t.signature };
    }
  }
  if (o.content) {
    // Word-sized pieces keep the replay shaped like a live stream without costing much.
    for (const piece of o.content.match(/\S+\s*|\s+/g) ?? [o.content])
      yield { type: 'text', text: piece };
  }
  for (let index = 0; index < o.tool_calls.length; index++) {
    const c = o.tool_calls[index];
    yield {
      type: 'tool_call',
      index,
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
    };
  }
  yield { type: 'done', outcome: o };
}
