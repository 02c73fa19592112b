import { AppException, ErrorCode } from '../../common/errors';
import { SERVICES, type ServiceName } from './provider.types';

export interface ModelRef {
  service: ServiceName;
  model: string;
}

/**
 * "openai/gpt-4o-mini" -> openai + gpt-4o-mini. Only the first slash separates: model ids may
 * contain slashes themselves ("openrouter/meta-llama/llama-3.1-8b-instruct").
 */
export function parseModelRef(ref: string, param = 'model'): ModelRef {
  const slash = typeof ref === 'string' ? ref.indexOf('/') : -1;
  const service = slash > 0 ? ref.slice(0, slash) : '';
  const model = slash > 0 ? ref.slice(slash + 1).trim() : '';
  if (!(SERVICES as readonly string[]).includes(service) || !model) {
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `model must be "<service>/<model>" with service one of ${SERVICES.join(', ')} (got "${String(ref)}")`,
      { status: 400, param },
    );
  }
  return { service: service as ServiceName, model };
}
