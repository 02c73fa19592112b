import Anthropic from '@anthropic-ai/sdk';
import type { ProviderError } from '../../errors/provider-error';
import { type SdkErrorContext, type SdkErrors, translateSdkError } from '../../errors/sdk-error';
import type { ServiceName } from '../../provider.types';

const ANTHROPIC_SDK: SdkErrors = {
  APIUserAbortError: Anthropic.APIUserAbortError,
  APIConnectionTimeoutError: Anthropic.APIConnectionTimeoutError,
  APIConnectionError: Anthropic.APIConnectionError,
  APIError: Anthropic.APIError,
  // docs.anthropic.com/en/api/errors (also what `event: error` carries inside a stream).
  typeStatus: {
    invalid_request_error: 400,
    authentication_error: 401,
    billing_error: 402,
    permission_error: 403,
    not_found_error: 404,
    request_too_large: 413,
    rate_limit_error: 429,
    api_error: 500,
    timeout_error: 504,
    overloaded_error: 529,
  },
};

/** What `@anthropic-ai/sdk` threw, as a classified ProviderError of `service`. */
export function translateAnthropicError(
  service: ServiceName,
  err: unknown,
  ctx: SdkErrorContext,
): ProviderError {
  return translateSdkError(service, err, ctx, ANTHROPIC_SDK);
}
