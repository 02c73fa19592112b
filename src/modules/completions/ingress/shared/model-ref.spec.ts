import { ErrorCode } from '../../../../common/errors';
import type { ModelCatalogService } from '../../../providers';
import { qualifiedModel } from './model-ref';

const listed: Record<string, string[]> = {
  openai: ['gpt-4o-mini', 'shared-id'],
  anthropic: ['claude-sonnet-4-6', 'shared-id'],
  openrouter: ['meta-llama/llama-3.1-8b-instruct'],
};
const catalog = {
  get: (service: string, model: string) =>
    listed[service]?.includes(model) ? { context_window: 1 } : undefined,
} as unknown as ModelCatalogService;

describe('qualifiedModel', () => {
  it('keeps <service>/<model> and agent/<id> as sent', () => {
    expect(qualifiedModel('openai/anything', catalog)).toBe('openai/anything');
    expect(qualifiedModel('agent/a1', catalog)).toBe('agent/a1');
  });

  it('resolves a bare id (slashes included) to the first service listing it', () => {
    expect(qualifiedModel('claude-sonnet-4-6', catalog)).toBe('anthropic/claude-sonnet-4-6');
    expect(qualifiedModel('shared-id', catalog)).toBe('openai/shared-id');
    expect(qualifiedModel('meta-llama/llama-3.1-8b-instruct', catalog)).toBe(
      'openrouter/meta-llama/llama-3.1-8b-instruct',
    );
  });

  it('answers an id no service lists with a 404 naming model', () => {
    expect(() => qualifiedModel('nope-1', catalog)).toThrow(
      expect.objectContaining({ code: ErrorCode.NOT_FOUND, param: 'model' }),
    );
  });
});
