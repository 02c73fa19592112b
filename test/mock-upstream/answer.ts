/**
 * The answer to a chat request, decided once and then written in either wire format: text or
 * tool calls, finish reason, token counts.
 */
import type { ChatInput } from './chat-input';
import type { MockDirectives, MockToolCall } from './directives';
import { schemaInstance } from './schema-instance';
import { nextId, tokens, type Provider } from './shared';

export interface PlannedToolCall {
  id: string;
  name: string;
  args: string;
  input: unknown;
}

export interface Plan {
  text: string;
  toolCalls: PlannedToolCall[];
  finish: 'stop' | 'length' | 'tool_calls' | 'stop_sequence';
  stopSequence: string | null;
  /** Anthropic extended thinking that opens the answer. */
  thinking?: { text: string; signature: string };
  inputTokens: number;
  outputTokens: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  reasoning?: number;
}

export function makePlan(
  provider: Provider,
  input: ChatInput,
  d: MockDirectives,
  userText: string,
): Plan {
  const inputTokens = tokens(input.inputChars);
  // A forced tool is called with an input generated from its schema (unless a directive chose).
  const calls: MockToolCall[] | undefined =
    d.tool_call ??
    (input.forcedTool && (input.forcedTool.named || !input.toolResults)
      ? [{ name: input.forcedTool.name, arguments: schemaInstance(input.forcedTool.schema) }]
      : undefined);
  if (calls && (!input.toolResults || (!d.tool_call && input.forcedTool?.named))) {
    let out = 0;
    const toolCalls = calls.map((t) => {
      const args = JSON.stringify(t.arguments);
      out += tokens(t.name.length + args.length);
      const id = provider === 'openai' ? `call_${nextId()}` : `toolu_01${nextId()}`;
      return { id, name: t.name, args, input: t.arguments };
    });
    return {
      text: '',
      toolCalls,
      finish: 'tool_calls',
      stopSequence: null,
      inputTokens,
      outputTokens: out,
    };
  }
  let text: string;
  if (d.content !== undefined) text = d.content;
  else if (input.toolResults) text = `Tool said: ${input.toolResults.join('\n')}`;
  else if (input.schema !== undefined) text = JSON.stringify(schemaInstance(input.schema));
  else if (input.json) text = JSON.stringify({ echo: userText });
  else text = `Echo: ${userText}`;
  let finish: Plan['finish'] = 'stop';
  let stopSequence: string | null = null;
  let cut = -1;
  for (const s of input.stop) {
    const i = text.indexOf(s);
    if (i !== -1 && (cut === -1 || i < cut)) {
      cut = i;
      stopSequence = s;
    }
  }
  if (cut !== -1) {
    text = text.slice(0, cut);
    finish = provider === 'openai' ? 'stop' : 'stop_sequence';
  }
  if (input.maxTokens !== undefined && tokens(text.length) > input.maxTokens) {
    text = text.slice(0, input.maxTokens * 4);
    finish = 'length';
    stopSequence = null;
  }
  return {
    text,
    toolCalls: [],
    finish,
    stopSequence,
    inputTokens,
    outputTokens: tokens(text.length),
  };
}

/**
 * Choice `index` of an `n` > 1 answer: its text ends with ` [choice <index>]` so that the choices
 * differ (a single choice is left as planned). Tool calls already differ by their ids.
 */
export function choicePlan(p: Plan, index: number, count: number): Plan {
  if (count === 1 || p.toolCalls.length) return p;
  const text = `${p.text} [choice ${index}]`;
  return { ...p, text, outputTokens: tokens(text.length) };
}

export interface Usage {
  /** Input tokens that were neither read from nor written to the prompt cache. */
  inputTokens: number;
  outputTokens: number;
  cacheRead?: number;
  /** 5-minute cache writes. */
  cacheWrite?: number;
  /** 1-hour cache writes. */
  cacheWrite1h?: number;
  /** Reasoning tokens, billed as (and counted in) output by OpenAI. */
  reasoning?: number;
}

/**
 * The usage of an `n` > 1 answer, as OpenAI reports it: the prompt once, the completion tokens
 * of every choice summed.
 */
export function totalUsage(plans: Plan[]): Usage {
  const [first] = plans;
  return {
    inputTokens: first.inputTokens,
    outputTokens: plans.reduce((sum, p) => sum + p.outputTokens, 0),
    cacheRead: first.cacheRead,
    cacheWrite: first.cacheWrite,
    cacheWrite1h: first.cacheWrite1h,
    reasoning: plans.reduce((sum, p) => sum + (p.reasoning ?? 0), 0),
  };
}
