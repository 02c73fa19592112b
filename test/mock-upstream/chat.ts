/**
 * `POST …/chat/completions`, `POST …/messages`, `POST …/messages/count_tokens` and
 * `GET …/models`: authentication, validation, directives, fail-first, then the answer.
 */
import type * as http from 'node:http';
import { choicePlan, makePlan } from './answer';
import { anthropicFrames, anthropicMessage, anthropicModelList } from './anthropic-wire';
import { readAnthropic } from './anthropic-request';
import {
  applyDirectives,
  extractDirective,
  headerDirectives,
  type MockDirectives,
} from './directives';
import { openaiCompletion, openaiFrames, openaiModelList } from './openai-wire';
import { readOpenAI } from './openai-request';
import type { CredentialFailure, MockState } from './recording';
import { sendError, sendJson, wait, type Ctx } from './respond';
import { headerString, isObj, nextId, tokens } from './shared';
import { sendStream } from './stream';

export async function handleChat(
  state: MockState,
  ctx: Ctx,
  body: unknown,
  countTokens = false,
): Promise<void> {
  const { req, provider } = ctx;
  let version = '';
  if (provider === 'anthropic') {
    version = headerString(req, 'anthropic-version') ?? '';
    if (!version) return sendError(state, ctx, 400, 'anthropic-version: header is required');
    if (!headerString(req, 'x-api-key') && !headerString(req, 'authorization')) {
      return sendError(state, ctx, 401, 'x-api-key header is required');
    }
  } else if (!/^Bearer\s+\S/i.test(headerString(req, 'authorization') ?? '')) {
    return sendError(
      state,
      ctx,
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      { code: null },
    );
  }
  // A failure set for this API key (429, 401, 500 ...) wins over everything but the auth check:
  // it is how tests make one key of a pool misbehave while the others answer.
  const failure = credentialFailure(state, ctx);
  if (failure) {
    const extra: http.OutgoingHttpHeaders = {};
    if (failure.retry_after !== undefined) extra['retry-after'] = String(failure.retry_after);
    if (failure.retry_after_ms !== undefined)
      extra['retry-after-ms'] = String(failure.retry_after_ms);
    return sendError(state, ctx, failure.status, `mock error ${failure.status}`, {}, extra);
  }
  if (!isObj(body)) {
    return sendError(
      state,
      ctx,
      400,
      provider === 'openai'
        ? 'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.'
        : 'There was an issue with the request body: expected a JSON object.',
    );
  }
  const input =
    provider === 'openai' ? readOpenAI(body) : readAnthropic(body, version, countTokens);
  if ('error' in input) {
    return sendError(state, ctx, 400, input.error, {
      param: input.param ?? null,
    });
  }
  if (countTokens) return sendJson(state, ctx, 200, { input_tokens: tokens(input.inputChars) });

  const d: MockDirectives = {};
  let userText: string;
  try {
    headerDirectives(req, d);
    const found = extractDirective(input.userText);
    if (found.directive) applyDirectives(d, found.directive);
    userText = found.text.trim();
  } catch (e) {
    if (ctx.rec && d.key !== undefined) ctx.rec.key = d.key;
    return sendError(state, ctx, 400, `mock: ${(e as Error).message}`);
  }
  if (d.key !== undefined && ctx.rec) {
    ctx.rec.key = d.key;
    state.notify(ctx.rec);
  }

  let failStatus: number | undefined;
  if (d.fail_first !== undefined && d.fail_first > 0) {
    if (d.key === undefined) return sendError(state, ctx, 400, 'mock: "fail_first" needs a "key"');
    const n = state.failCounts.get(d.key) ?? 0;
    if (n < d.fail_first) {
      state.failCounts.set(d.key, n + 1);
      failStatus = d.status !== undefined && d.status >= 400 ? d.status : 500;
    }
  } else if (d.status !== undefined && d.status >= 400) {
    failStatus = d.status;
  }

  if (d.delay_ms) {
    await wait(ctx, d.delay_ms);
    if (ctx.closed) return;
  }

  if (failStatus !== undefined) {
    const extra: http.OutgoingHttpHeaders = {};
    if (d.retry_after !== undefined) extra['retry-after'] = String(d.retry_after);
    if (d.retry_after_ms !== undefined) extra['retry-after-ms'] = String(d.retry_after_ms);
    const message =
      provider === 'anthropic' && failStatus === 529 ? 'Overloaded' : `mock error ${failStatus}`;
    return sendError(state, ctx, failStatus, message, {}, extra);
  }

  const plans = Array.from({ length: input.choices }, (_, index) =>
    choicePlan(makePlan(provider, input, d, userText), index, input.choices),
  );
  const plan = plans[0];
  if (input.thinking) {
    plan.thinking = { text: `Thinking about: ${userText}`, signature: `sig_${nextId()}` };
    plan.outputTokens += tokens(plan.thinking.text.length);
  }
  plan.cacheRead = d.cache_read;
  plan.cacheWrite = d.cache_write;
  plan.cacheWrite1h = d.cache_write_1h;
  plan.reasoning = d.reasoning;
  if (input.stream) {
    const frames =
      provider === 'openai'
        ? openaiFrames(input.model, plans, input, d)
        : anthropicFrames(input.model, plan, d);
    return sendStream(state, ctx, frames, d);
  }
  if (d.malformed) {
    const broken =
      provider === 'openai'
        ? `{"id":"chatcmpl-${nextId()}","object":"chat.completion","choices":[{"index":0,"message":`
        : `{"id":"msg_01${nextId()}","type":"message","content":[{"type":"text","text":`;
    return sendJson(state, ctx, 200, broken);
  }
  sendJson(
    state,
    ctx,
    200,
    provider === 'openai'
      ? openaiCompletion(input.model, plans)
      : anthropicMessage(input.model, plan),
  );
}

export function handleModels(state: MockState, ctx: Ctx): void {
  const { req } = ctx;
  if (ctx.provider === 'anthropic') {
    if (!headerString(req, 'x-api-key') && !headerString(req, 'authorization')) {
      return sendError(state, ctx, 401, 'x-api-key header is required');
    }
    return sendJson(state, ctx, 200, anthropicModelList());
  }
  if (!/^Bearer\s+\S/i.test(headerString(req, 'authorization') ?? '')) {
    return sendError(state, ctx, 401, "You didn't provide an API key.", { code: null });
  }
  sendJson(state, ctx, 200, openaiModelList());
}

/** The API key the request presents: the bearer token, else `x-api-key`. */
export function presentedCredential(req: http.IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)/i.exec(headerString(req, 'authorization') ?? '');
  return bearer?.[1] ?? headerString(req, 'x-api-key');
}

/** Records the presented key on the request and returns the failure set for it, if any. */
function credentialFailure(state: MockState, ctx: Ctx): CredentialFailure | undefined {
  const credential = presentedCredential(ctx.req);
  if (credential === undefined) return undefined;
  if (ctx.rec) ctx.rec.credential = credential;
  return state.credentialFailures.get(credential);
}
