import { ErrorCode } from '../../../../common/errors';
import { SERVICES, type ModelCatalogService } from '../../../providers';
import { qualifiedModel } from './model-ref';

const listed: Record<string, string[]> = {
  openai: ['gpt-4o-mini', 'shared-id'],
  anthropic: ['claude-sonnet-4-6', 'shared-id'],
  openrouter: ['meta-llama/llama-3.1-8b-instruct'],
};
// The catalog's lookup of the service serving a bare id (first in service-list order; the real
// one is tested in model-catalog.service.spec.ts).
const catalog = {
  serviceListing: (model: string) => SERVICES.find((s) => listed[s]?.includes(model)),
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
