/**
 * The Anthropic Messages wire format: `message` JSON, SSE events, error bodies, usage, response
 * headers and the model list.
 */
import type * as http from 'node:http';
import type { Plan, Usage } from './answer';
import { argFragments, splitText } from './chunking';
import type { MockDirectives } from './directives';
import { sseEvent, type Frame } from './sse';
import { nextId, type ErrorOpts, type Obj } from './shared';

export const MOCK_ANTHROPIC_MODELS: readonly string[] = [
  'claude-sonnet-4-6',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-7',
];

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export function anthropicErrorBody(
  status: number,
  message: string,
  requestId: string,
  o: ErrorOpts = {},
): unknown {
  return {
    type: 'error',
    error: { type: o.type ?? anthropicErrorType(status), message },
    request_id: requestId,
  };
}

function anthropicUsage(u: Usage): Obj {
  return {
    input_tokens: u.inputTokens,
    cache_creation_input_tokens: (u.cacheWrite ?? 0) + (u.cacheWrite1h ?? 0),
    cache_read_input_tokens: u.cacheRead ?? 0,
    cache_creation: {
      ephemeral_5m_input_tokens: u.cacheWrite ?? 0,
      ephemeral_1h_input_tokens: u.cacheWrite1h ?? 0,
    },
    output_tokens: u.outputTokens,
    service_tier: 'standard',
  };
}

export function anthropicMessage(model: string, p: Plan): Obj {
  const content: Obj[] = p.toolCalls.length
    ? p.toolCalls.map((t) => ({
        type: 'tool_use',
        id: t.id,
        name: t.name,
        input: t.input,
        caller: { type: 'direct' },
      }))
    : [{ type: 'text', text: p.text }];
  if (p.thinking) {
    content.unshift({
      type: 'thinking',
      thinking: p.thinking.text,
      signature: p.thinking.signature,
    });
  }
  return {
    id: `msg_01${nextId()}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: anthropicStopReason(p),
    stop_sequence: p.stopSequence,
    stop_details: null,
    usage: anthropicUsage(p),
  };
}

function anthropicStopReason(p: Plan): string {
  switch (p.finish) {
    case 'tool_calls':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    default:
      return 'end_turn';
  }
}

export function anthropicFrames(model: string, p: Plan, d: MockDirectives): Frame[] {
  const frames: Frame[] = [];
  const push = (type: string, data: Obj, content = false): void => {
    frames.push({ s: sseEvent(type, data), content });
  };
  push('message_start', {
    type: 'message_start',
    message: {
      id: `msg_01${nextId()}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: anthropicUsage({ ...p, outputTokens: 1 }),
    },
  });
  const blocks: { start: Obj; deltas: Obj[] }[] = p.toolCalls.length
    ? p.toolCalls.map((t) => ({
        start: { type: 'tool_use', id: t.id, name: t.name, input: {}, caller: { type: 'direct' } },
        deltas: argFragments(t.args, d.chunks).map((partial_json) => ({
          type: 'input_json_delta',
          partial_json,
        })),
      }))
    : [
        {
          start: { type: 'text', text: '' },
          deltas: splitText(p.text, d.chunks).map((text) => ({ type: 'text_delta', text })),
        },
      ];
  if (p.thinking) {
    // Anthropic's documented thinking stream: an empty thinking block, thinking_delta pieces,
    // one signature_delta just before content_block_stop.
    blocks.unshift({
      start: { type: 'thinking', thinking: '' },
      deltas: [
        ...splitText(p.thinking.text, d.chunks).map((thinking) => ({
          type: 'thinking_delta',
          thinking,
        })),
        { type: 'signature_delta', signature: p.thinking.signature },
      ],
    });
  }
  blocks.forEach((b, index) => {
    push('content_block_start', { type: 'content_block_start', index, content_block: b.start });
    if (index === 0) push('ping', { type: 'ping' });
    for (const delta of b.deltas)
      push('content_block_delta', { type: 'content_block_delta', index, delta }, true);
    push('content_block_stop', { type: 'content_block_stop', index });
  });
  push('message_delta', {
    type: 'message_delta',
    delta: {
      stop_reason: anthropicStopReason(p),
      stop_sequence: p.stopSequence,
      stop_details: null,
    },
    usage: {
      input_tokens: p.inputTokens,
      cache_creation_input_tokens: (p.cacheWrite ?? 0) + (p.cacheWrite1h ?? 0),
      cache_read_input_tokens: p.cacheRead ?? 0,
      output_tokens: p.outputTokens,
    },
  });
  push('message_stop', { type: 'message_stop' });
  return frames;
}

export function anthropicHeaders(requestId: string): http.OutgoingHttpHeaders {
  return { 'request-id': requestId };
}

/**
 * The `malformed` directive's unparseable stream line, with an event name since the SDK ignores
 * data without one.
 */
export const ANTHROPIC_GARBAGE_FRAME =
  'event: content_block_delta\ndata: {"type":"content_block_delta","delta": this is not json\n\n';

/** The `stream_error` directive's in-stream error event. */
export function anthropicStreamErrorFrame(status: number): string {
  const type = anthropicErrorType(status);
  return sseEvent('error', {
    type: 'error',
    error: {
      type,
      message: type === 'overloaded_error' ? 'Overloaded' : `mock stream error ${status}`,
    },
  });
}

export function anthropicModelList(): unknown {
  const data = MOCK_ANTHROPIC_MODELS.map((id) => ({
    type: 'model',
    id,
    display_name: id,
    created_at: '2025-01-01T00:00:00Z',
  }));
  return {
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}
