import type { ChatResult, StreamEvent } from './provider.types';

/**
 * The answer to a request whose `response_format` travelled as a forced tool (`output_tool`),
 * turned back into what the client asked for: the tool's input JSON is the message content and
 * the call is not a tool call. Calls of the client's own tools stay tool calls; when only the
 * output tool was called the answer finished normally ('stop').
 */
export function unwrapOutputTool(result: ChatResult, tool: string | undefined): ChatResult {
  if (!tool) return result;
  const output = result.tool_calls.find((c) => c.function.name === tool);
  if (!output) return result;
  const others = result.tool_calls.filter((c) => c.function.name !== tool);
  return {
    ...result,
    content: output.function.arguments.trim() || '{}',
    tool_calls: others,
    finish_reason: others.length ? 'tool_calls' : finishWithoutToolCalls(result.finish_reason),
  };
}

function finishWithoutToolCalls(finish: ChatResult['finish_reason']) {
  return finish === 'tool_calls' ? 'stop' : finish;
}

/**
 * The streaming counterpart: fragments of the output tool's arguments become text deltas, the
 * client's tool calls keep a dense 0-based index of their own, and the finish reason is 'stop'
 * when the output tool was the only call.
 */
export async function* unwrapOutputToolStream(
  events: AsyncIterable<StreamEvent>,
  tool: string | undefined,
): AsyncGenerator<StreamEvent> {
  if (!tool) {
    yield* events;
    return;
  }
  const outputIndexes = new Set<number>();
  const clientIndex = new Map<number, number>();
  for await (const e of events) {
    if (e.type === 'tool_call') {
      if (e.name === tool) outputIndexes.add(e.index);
      if (outputIndexes.has(e.index)) {
        if (e.arguments) yield { type: 'text', text: e.arguments };
        continue;
      }
      let index = clientIndex.get(e.index);
      if (index === undefined) clientIndex.set(e.index, (index = clientIndex.size));
      yield { ...e, index };
    } else if (e.type === 'finish' && outputIndexes.size && !clientIndex.size) {
      yield { type: 'finish', finish_reason: finishWithoutToolCalls(e.finish_reason) };
    } else {
      yield e;
    }
  }
}
