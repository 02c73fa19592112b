import type { ChatResult, ChoiceAlternative, StreamEvent } from './provider.types';

type Answer = Pick<ChatResult, 'content' | 'tool_calls' | 'finish_reason'>;

/** One choice with the output tool's call turned into its content. */
function unwrapChoice<T extends Answer>(choice: T, tool: string): T {
  const output = choice.tool_calls.find((c) => c.function.name === tool);
  if (!output) return choice;
  const others = choice.tool_calls.filter((c) => c.function.name !== tool);
  return {
    ...choice,
    content: output.function.arguments.trim() || '{}',
    tool_calls: others,
    finish_reason: others.length ? 'tool_calls' : finishWithoutToolCalls(choice.finish_reason),
  };
}

/**
 * The answer to a request whose `response_format` travelled as a forced tool (`output_tool`),
 * turned back into what the client asked for: the tool's input JSON is the message content and
 * the call is not a tool call. Calls of the client's own tools stay tool calls; when only the
 * output tool was called the answer finished normally ('stop').
 */
export function unwrapOutputTool(result: ChatResult, tool: string | undefined): ChatResult {
  if (!tool) return result;
  const unwrapped = unwrapChoice(result, tool);
  if (!result.alternatives) return unwrapped;
  return {
    ...unwrapped,
    alternatives: result.alternatives.map((a): ChoiceAlternative => unwrapChoice(a, tool)),
  };
}

function finishWithoutToolCalls(finish: ChatResult['finish_reason']) {
  return finish === 'tool_calls' ? 'stop' : finish;
}

/**
 * The streaming counterpart: fragments of the output tool's arguments become text deltas, the
 * client's tool calls keep a dense 0-based index of their own, and the finish reason is 'stop'
 * when the output tool was the only call. Each choice of an `n` > 1 stream is unwrapped on its own.
 */
export function unwrapOutputToolStream(
  events: AsyncIterable<StreamEvent>,
  tool: string | undefined,
): AsyncIterable<StreamEvent> {
  // Without an output tool there is nothing to unwrap: no generator hop per event.
  return tool ? unwrapStream(events, tool) : events;
}

async function* unwrapStream(
  events: AsyncIterable<StreamEvent>,
  tool: string,
): AsyncGenerator<StreamEvent> {
  const choices = new Map<number, { output: Set<number>; client: Map<number, number> }>();
  const stateOf = (choice: number | undefined) => {
    let state = choices.get(choice ?? 0);
    if (!state) choices.set(choice ?? 0, (state = { output: new Set(), client: new Map() }));
    return state;
  };
  for await (const e of events) {
    if (e.type === 'tool_call') {
      const { output, client } = stateOf(e.choice);
      const tag = e.choice === undefined ? {} : { choice: e.choice };
      if (e.name === tool) output.add(e.index);
      if (output.has(e.index)) {
        if (e.arguments) yield { type: 'text', text: e.arguments, ...tag };
        continue;
      }
      let index = client.get(e.index);
      if (index === undefined) client.set(e.index, (index = client.size));
      yield { ...e, index };
    } else if (
      e.type === 'finish' &&
      stateOf(e.choice).output.size &&
      !stateOf(e.choice).client.size
    ) {
      yield {
        type: 'finish',
        finish_reason: finishWithoutToolCalls(e.finish_reason),
        ...(e.choice === undefined ? {} : { choice: e.choice }),
      };
    } else {
      yield e;
    }
  }
}
