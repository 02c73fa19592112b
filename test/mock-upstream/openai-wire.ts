/**
 * The OpenAI chat-completions wire format: `chat.completion` JSON, `chat.completion.chunk` SSE,
 * error bodies, usage, response headers and the model list.
 */
import type * as http from 'node:http';
import { totalUsage, type Plan, type Usage } from './answer';
import type { ChatInput } from './chat-input';
import { argFragments, splitText } from './chunking';
import type { MockDirectives } from './directives';
import { sse, type Frame } from './sse';
import { nextId, type ErrorOpts, type Obj } from './shared';

export const MOCK_OPENAI_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'gpt-4.1',
  'o4-mini',
];

function openaiErrorKind(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

export function openaiErrorBody(status: number, message: string, o: ErrorOpts = {}): unknown {
  const kind = openaiErrorKind(status);
  return {
    error: {
      message,
      type: o.type ?? kind.type,
      param: o.param ?? null,
      code: o.code === undefined ? kind.code : o.code,
    },
  };
}

function openaiUsage(u: Usage): Obj {
  return {
    // OpenAI counts cache reads inside prompt_tokens, reasoning inside completion_tokens, and
    // has no cache writes.
    prompt_tokens: u.inputTokens + (u.cacheRead ?? 0),
    completion_tokens: u.outputTokens + (u.reasoning ?? 0),
    total_tokens: u.inputTokens + (u.cacheRead ?? 0) + u.outputTokens + (u.reasoning ?? 0),
    prompt_tokens_details: { cached_tokens: u.cacheRead ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

const FINGERPRINT = 'fp_mock0000';

export function openaiCompletion(model: string, plans: Plan[]): Obj {
  return {
    id: `chatcmpl-${nextId()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: plans.map((p, index) => openaiChoice(p, index)),
    usage: openaiUsage(totalUsage(plans)),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

function openaiChoice(p: Plan, index: number): Obj {
  const message: Obj = {
    role: 'assistant',
    content: p.toolCalls.length ? null : p.text,
    refusal: null,
    annotations: [],
  };
  if (p.toolCalls.length) {
    message.tool_calls = p.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.args },
    }));
  }
  return { index, message, logprobs: null, finish_reason: p.finish };
}

/**
 * An OpenAI stream. With `n` > 1 the choices' chunks interleave (one chunk of each in turn, as
 * OpenAI's arrive mixed), each chunk carrying its choice's `index` and each choice ending with
 * its own finish chunk; the usage chunk (include_usage) comes once, after them all.
 */
export function openaiFrames(
  model: string,
  plans: Plan[],
  input: ChatInput,
  d: MockDirectives,
): Frame[] {
  const id = `chatcmpl-${nextId()}`;
  const created = Math.floor(Date.now() / 1000);
  const perChoice = plans.map((p, index) =>
    openaiChoiceFrames(p, index, input, d, { id, created, model }),
  );
  const frames: Frame[] = [];
  for (let i = 0; perChoice.some((f) => i < f.length); i++) {
    for (const f of perChoice) if (i < f.length) frames.push(f[i]);
  }
  if (input.includeUsage) {
    frames.push({
      s: sse({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
        choices: [],
        usage: openaiUsage(totalUsage(plans)),
      }),
      content: false,
    });
  }
  frames.push({ s: 'data: [DONE]\n\n', content: false });
  return frames;
}

/** One choice's chunks: its role chunk, its content or tool-call deltas, its finish chunk. */
function openaiChoiceFrames(
  p: Plan,
  choice: number,
  input: ChatInput,
  d: MockDirectives,
  meta: { id: string; created: number; model: string },
): Frame[] {
  const chunk = (delta: Obj, finish: string | null): string => {
    const c: Obj = {
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [{ index: choice, delta, logprobs: null, finish_reason: finish }],
    };
    if (input.includeUsage) c.usage = null;
    return sse(c);
  };
  const frames: Frame[] = [];
  if (p.toolCalls.length) {
    p.toolCalls.forEach((t, index) => {
      const head = { index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } };
      const delta: Obj =
        index === 0
          ? { role: 'assistant', content: null, tool_calls: [head], refusal: null }
          : { tool_calls: [head] };
      frames.push({ s: chunk(delta, null), content: false });
      for (const frag of argFragments(t.args, d.chunks)) {
        frames.push({
          s: chunk({ tool_calls: [{ index, function: { arguments: frag } }] }, null),
          content: true,
        });
      }
    });
  } else {
    frames.push({
      s: chunk({ role: 'assistant', content: '', refusal: null }, null),
      content: false,
    });
    for (const piece of splitText(p.text, d.chunks)) {
      frames.push({ s: chunk({ content: piece }, null), content: true });
    }
  }
  frames.push({ s: chunk({}, p.finish), content: false });
  return frames;
}

export function openaiHeaders(requestId: string, started: number): http.OutgoingHttpHeaders {
  return {
    'x-request-id': requestId,
    'openai-version': '2020-10-01',
    'openai-processing-ms': String(Date.now() - started),
  };
}

/** The `malformed` directive's unparseable stream line. */
export const OPENAI_GARBAGE_FRAME =
  'data: {"id":"chatcmpl-broken","choices":[{"delta": this is not json\n\n';

/** The `stream_error` directive's in-stream error. */
export function openaiStreamErrorFrame(status: number): string {
  return sse({
    error: {
      message: `mock stream error ${status}`,
      type: 'server_error',
      param: null,
      code: null,
    },
  });
}

export function openaiModelList(): unknown {
  return {
    object: 'list',
    data: MOCK_OPENAI_MODELS.map((id) => ({
      id,
      object: 'model',
      created: 1715367049,
      owned_by: 'system',
    })),
  };
}
