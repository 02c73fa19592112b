import OpenAI from 'openai';
import type { ProviderError } from '../../errors/provider-error';
import { type SdkErrorContext, type SdkErrors, translateSdkError } from '../../errors/sdk-error';
import type { ServiceName } from '../../provider.types';

const OPENAI_SDK: SdkErrors = {
  APIUserAbortError: OpenAI.APIUserAbortError,
  APIConnectionTimeoutError: OpenAI.APIConnectionTimeoutError,
  APIConnectionError: OpenAI.APIConnectionError,
  APIError: OpenAI.APIError,
  // OpenAI's error types; OpenAI-compatible services mostly send a numeric `code` instead.
  typeStatus: {
    invalid_request_error: 400,
    rate_limit_exceeded: 429,
    server_error: 500,
  },
};

/** What the `openai` SDK threw, as a classified ProviderError of `service`. */
export function translateOpenAIError(
  service: ServiceName,
  err: unknown,
  ctx: SdkErrorContext,
): ProviderError {
  return translateSdkError(service, err, ctx, OPENAI_SDK);
}
