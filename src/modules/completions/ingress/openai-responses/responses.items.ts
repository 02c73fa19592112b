import { AppException, ErrorCode } from '../../../../common/errors';
import type { ChatMessage, ContentPart, ImagePart, ToolCall } from '../../../providers';

/**
 * Conversions between the Responses API's items (OpenAI's `ResponseInputItem` on the way in,
 * `ResponseOutputItem` / conversation items on the way out; see
 * node_modules/openai/resources/responses/responses.d.ts) and the canonical chat messages the
 * pipeline speaks. Only the item types a chat model can take are supported: messages, function
 * calls and their outputs; reasoning items are dropped (no provider here can take them back).
 */

type Item = Record<string, unknown>;

/** `input_text` content, as in user/system/developer messages. */
export interface InputTextContent {
  type: 'input_text';
  text: string;
}

/** `input_image` content; `detail` is required in the SDK's `ResponseInputImage`. */
export interface InputImageContent {
  type: 'input_image';
  image_url: string;
  detail: 'low' | 'high' | 'auto';
}

export interface OutputTextContent {
  type: 'output_text';
  text: string;
  annotations: never[];
}

export interface MessageItem {
  id: string;
  type: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  status: 'completed';
  content: Array<InputTextContent | InputImageContent | OutputTextContent>;
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status: 'completed';
}

export interface FunctionCallOutputItem {
  id: string;
  type: 'function_call_output';
  call_id: string;
  output: string;
  status: 'completed';
}

export type ConversationItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

export type ItemIdPrefix = 'msg' | 'fc' | 'fco';

/**
 * Gives each produced item its id, e.g. from a stored message's id: `messageIndex` is the
 * message's position in the list given, `subIndex` tells apart the items one message yields
 * (an assistant turn: 0 for its text, 1.. for its tool calls). Must start the id with
 * `<prefix>_` and be stable, so listing the same messages twice gives the same ids.
 */
export type ItemIdFor = (prefix: ItemIdPrefix, messageIndex: number, subIndex: number) => string;

/** Ids derived from one base string (e.g. a response id without its prefix). */
export function itemIdsFrom(base: string): ItemIdFor {
  return (prefix, messageIndex, subIndex) => `${prefix}_${base}_${messageIndex}_${subIndex}`;
}

/**
 * A request's `input` as canonical messages: a string is one user message; items become
 * turns in order. Consecutive `function_call` items form one assistant turn, joined to the
 * assistant text turn right before them (how a chat model produced them in the first place).
 */
export function inputToMessages(input: string | unknown[], param = 'input'): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input))
    throw invalid(`${param}: must be a string or an array of items`, param);
  const out: ChatMessage[] = [];
  input.forEach((raw, i) => {
    const at = `${param}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw invalid(`${at}: an input item must be an object`, at);
    }
    const item = raw as Item;
    // EasyInputMessage may leave out `type`: a role alone makes it a message.
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message':
        out.push(messageItem(item, at));
        break;
      case 'function_call':
        addToolCall(out, item, at);
        break;
      case 'function_call_output':
        out.push({
          role: 'tool',
          tool_call_id: stringField(item, 'call_id', at),
          content: toolOutput(item.output, `${at}.output`),
        });
        break;
      // Reasoning of an earlier turn: no provider here takes it back, and answers do not
      // depend on it, so it is dropped rather than refused (clients echo it back verbatim).
      case 'reasoning':
        break;
      case undefined:
        throw invalid(`${at}.type: Field required`, `${at}.type`);
      default:
        throw invalid(
          `${at}.type: input item type ${JSON.stringify(type)} is not supported by this gateway ` +
            '(supported: message, function_call, function_call_output, reasoning)',
          `${at}.type`,
        );
    }
  });
  return out;
}

function messageItem(item: Item, at: string): ChatMessage {
  const role = item.role;
  const content = item.content;
  switch (role) {
    case 'user':
      return { role: 'user', content: userContent(content, `${at}.content`) };
    case 'system':
    case 'developer':
      return { role, content: textContent(content, `${at}.content`, ['input_text']) };
    case 'assistant':
      // Earlier answers come back as output messages (output_text, refusal); the SDK's
      // EasyInputMessage types them as input_text, so both are taken.
      return {
        role: 'assistant',
        content: textContent(content, `${at}.content`, ['output_text', 'input_text', 'refusal']),
      };
    default:
      throw invalid(`${at}.role: must be one of user, system, developer, assistant`, `${at}.role`);
  }
}

function userContent(content: unknown, at: string): string | ContentPart[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${at}: must be a string or content parts`, at);
  const parts = content.map((raw, j): ContentPart => {
    const part = asItem(raw, `${at}[${j}]`);
    switch (part.type) {
      case 'input_text':
        return { type: 'text', text: stringField(part, 'text', `${at}[${j}]`) };
      case 'input_image':
        return imagePart(part, `${at}[${j}]`);
      default:
        throw unsupportedPart(part.type, `${at}[${j}]`);
    }
  });
  // Text-only content stays a plain string: every provider takes that.
  return parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('\n\n') : parts;
}

function imagePart(part: Item, at: string): ImagePart {
  if (typeof part.image_url !== 'string' || part.image_url === '') {
    throw invalid(
      `${at}.image_url: required (an https or data: URL); file_id images are not supported by this gateway`,
      `${at}.image_url`,
    );
  }
  const detail = part.detail;
  return {
    type: 'image_url',
    image_url: {
      url: part.image_url,
      // 'original' has no chat-completions equivalent: the provider's default then applies.
      ...(detail === 'low' || detail === 'high' || detail === 'auto' ? { detail } : {}),
    },
  };
}

/** A string, or text parts of the allowed types joined. */
function textContent(content: unknown, at: string, allowed: string[]): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${at}: must be a string or content parts`, at);
  return content
    .map((raw, j) => {
      const part = asItem(raw, `${at}[${j}]`);
      if (typeof part.type !== 'string' || !allowed.includes(part.type)) {
        throw unsupportedPart(part.type, `${at}[${j}]`);
      }
      return stringField(part, part.type === 'refusal' ? 'refusal' : 'text', `${at}[${j}]`);
    })
    .join('\n\n');
}

/** `function_call_output.output`: a string or `input_text` parts (images/files refused). */
function toolOutput(output: unknown, at: string): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) throw invalid(`${at}: must be a string or content parts`, at);
  return textContent(output, at, ['input_text']);
}

function addToolCall(out: ChatMessage[], item: Item, at: string): void {
  const call: ToolCall = {
    id: stringField(item, 'call_id', at),
    type: 'function',
    function: {
      name: stringField(item, 'name', at),
      arguments: stringField(item, 'arguments', at),
    },
  };
  const last = out[out.length - 1];
  if (last?.role === 'assistant') {
    last.tool_calls = [...(last.tool_calls ?? []), call];
    // Chat-completions' convention for a tool-call-only turn: null content, not ''.
    if (last.content === '') last.content = null;
    return;
  }
  out.push({ role: 'assistant', content: null, tool_calls: [call] });
}

/**
 * Canonical (or stored) messages as Responses items: a `message` item per text turn (content
 * `input_text`/`input_image` for user, system and developer, `output_text` for the assistant),
 * a `function_call` item per tool call and a `function_call_output` item per tool result.
 */
export function messagesToItems(messages: ChatMessage[], idFor: ItemIdFor): ConversationItem[] {
  const items: ConversationItem[] = [];
  messages.forEach((m, i) => {
    switch (m.role) {
      case 'assistant': {
        const text = plainText(m.content);
        if (text !== '') {
          items.push({
            id: idFor('msg', i, 0),
            type: 'message',
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text, annotations: [] }],
          });
        }
        (m.tool_calls ?? []).forEach((c, j) =>
          items.push({
            id: idFor('fc', i, j + 1),
            type: 'function_call',
            call_id: c.id,
            name: c.function.name,
            arguments: c.function.arguments,
            status: 'completed',
          }),
        );
        break;
      }
      case 'tool':
        items.push({
          id: idFor('fco', i, 0),
          type: 'function_call_output',
          call_id: m.tool_call_id,
          output: plainText(m.content),
          status: 'completed',
        });
        break;
      default:
        items.push({
          id: idFor('msg', i, 0),
          type: 'message',
          role: m.role,
          status: 'completed',
          content: inputContent(m.content),
        });
    }
  });
  return items;
}

function inputContent(
  content: string | ContentPart[],
): Array<InputTextContent | InputImageContent> {
  if (typeof content === 'string') return [{ type: 'input_text', text: content }];
  return content.map((p) =>
    p.type === 'text'
      ? { type: 'input_text', text: p.text }
      : { type: 'input_image', image_url: p.image_url.url, detail: p.image_url.detail ?? 'auto' },
  );
}

function plainText(content: string | Array<{ type: 'text'; text: string }> | null): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

function asItem(raw: unknown, at: string): Item {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(`${at}: a content part must be an object`, at);
  }
  return raw as Item;
}

function stringField(item: Item, key: string, at: string): string {
  const v = item[key];
  if (typeof v !== 'string')
    throw invalid(`${at}.${key}: Field required (a string)`, `${at}.${key}`);
  return v;
}

function unsupportedPart(type: unknown, at: string): AppException {
  return invalid(
    `${at}.type: content type ${JSON.stringify(type)} is not supported here`,
    `${at}.type`,
  );
}

function invalid(message: string, param: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { param });
}
