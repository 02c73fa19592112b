import type { Usage } from '../provider.types';
import type { ModelPricing } from './catalog.types';
import { costOf } from './pricing';

/** Usage with every count zero but the ones given. */
function usage(u: Partial<Usage>): Usage {
  return {
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cached_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: null,
    ...u,
  };
}

// Claude Sonnet 4.5's sheet (USD per million tokens), long-context tier included.
const sonnet: ModelPricing = {
  input_per_mtok: 3,
  output_per_mtok: 15,
  cached_input_per_mtok: 0.3,
  cache_write_per_mtok: 3.75,
  cache_write_1h_per_mtok: 6,
  long_context: {
    above_input_tokens: 200_000,
    input_per_mtok: 6,
    output_per_mtok: 22.5,
    cached_input_per_mtok: 0.6,
    cache_write_per_mtok: 7.5,
    cache_write_1h_per_mtok: 12,
  },
};

describe('costOf', () => {
  it('bills plain input and output at their rates', () => {
    expect(costOf(sonnet, usage({ input_tokens: 1000, output_tokens: 500 }))).toBe(
      (1000 * 3 + 500 * 15) / 1e6,
    );
  });

  it('bills cache reads at the cached rate, as a part of the input', () => {
    // 1000 input of which 400 read from cache: 600 * 3 + 400 * 0.3.
    expect(costOf(sonnet, usage({ input_tokens: 1000, cached_tokens: 400 }))).toBeCloseTo(
      0.00192,
      12,
    );
  });

  it('bills 5-minute and 1-hour cache writes at their own rates', () => {
    // 1000 input: 100 reads, 300 writes of which 200 for 1 hour, 600 plain.
    const u = usage({
      input_tokens: 1000,
      cached_tokens: 100,
      cache_write_tokens: 300,
      cache_write_1h_tokens: 200,
    });
    expect(costOf(sonnet, u)).toBeCloseTo((600 * 3 + 100 * 0.3 + 100 * 3.75 + 200 * 6) / 1e6, 12);
  });

  it('bills 1-hour writes at the 5-minute rate when the sheet has no 1-hour rate', () => {
    const p: ModelPricing = { input_per_mtok: 1, output_per_mtok: 5, cache_write_per_mtok: 1.25 };
    const u = usage({ input_tokens: 100, cache_write_tokens: 100, cache_write_1h_tokens: 40 });
    expect(costOf(p, u)).toBeCloseTo(0.000125, 12);
  });

  it('bills cache reads and writes as input when the sheet has no cache rates', () => {
    const p: ModelPricing = { input_per_mtok: 0.59, output_per_mtok: 0.79 };
    const u = usage({ input_tokens: 1000, cached_tokens: 300, cache_write_tokens: 200 });
    expect(costOf(p, u)).toBeCloseTo(0.00059, 12);
  });

  it('bills reasoning as output unless the sheet prices it apart', () => {
    const u = usage({ output_tokens: 1000, reasoning_tokens: 800 });
    expect(costOf(sonnet, u)).toBeCloseTo(0.015, 12);
    expect(costOf({ ...sonnet, reasoning_per_mtok: 3.5 }, u)).toBeCloseTo(
      (200 * 15 + 800 * 3.5) / 1e6,
      12,
    );
  });

  it('bills a whole request at the long-context tier once the prompt exceeds its threshold', () => {
    const at = usage({ input_tokens: 200_000, output_tokens: 1000 });
    const above = usage({ input_tokens: 200_001, output_tokens: 1000 });
    expect(costOf(sonnet, at)).toBeCloseTo(200_000 * 3e-6 + 1000 * 15e-6, 10);
    expect(costOf(sonnet, above)).toBeCloseTo(200_001 * 6e-6 + 1000 * 22.5e-6, 10);
  });

  it('counts cache reads and writes toward the threshold and bills them at the tier rates', () => {
    // 150k plain + 40k read + 20k written (1h): 210k prompt tokens, above the 200k threshold.
    const u = usage({
      input_tokens: 210_000,
      cached_tokens: 40_000,
      cache_write_tokens: 20_000,
      cache_write_1h_tokens: 20_000,
      output_tokens: 100,
    });
    expect(costOf(sonnet, u)).toBeCloseTo(
      (150_000 * 6 + 40_000 * 0.6 + 20_000 * 12 + 100 * 22.5) / 1e6,
      10,
    );
  });

  it('falls back within the tier, not to the base rates, for rates the tier leaves out', () => {
    const p: ModelPricing = {
      input_per_mtok: 1.25,
      output_per_mtok: 10,
      cached_input_per_mtok: 0.125,
      long_context: { above_input_tokens: 10, input_per_mtok: 2.5, output_per_mtok: 15 },
    };
    expect(costOf(p, usage({ input_tokens: 20, cached_tokens: 20 }))).toBeCloseTo(50e-6, 12);
  });

  it('never bills more cache tokens than the input holds, nor more reasoning than output', () => {
    const u = usage({
      input_tokens: 100,
      cached_tokens: 80,
      cache_write_tokens: 500,
      output_tokens: 10,
      reasoning_tokens: 50,
    });
    // 80 reads, 20 writes (what is left of the input), 0 plain; 10 output, all reasoning.
    expect(costOf({ ...sonnet, reasoning_per_mtok: 1 }, u)).toBeCloseTo(
      (80 * 0.3 + 20 * 3.75 + 10 * 1) / 1e6,
      12,
    );
  });

  it('is exact to 1e-10 (no float noise in recorded figures)', () => {
    const c = costOf(sonnet, usage({ input_tokens: 7, output_tokens: 3 }));
    expect(c).toBe(0.000066);
  });
});
