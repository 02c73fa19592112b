/**
 * CLI runner for the mock upstream: `npm run mock-upstream` (or `npx ts-node test/mock-upstream/main.ts`).
 * PORT (default 4010), HOST (default 127.0.0.1), MOCK_RECORD=0 turns request recording off (benchmarks).
 */
import { startMockUpstream } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${process.env.PORT}"`);
  }
  const mock = await startMockUpstream({
    port,
    host: process.env.HOST || '127.0.0.1',
    record: process.env.MOCK_RECORD !== '0',
  });
  console.log(`mock upstream listening on ${mock.url}`);
  console.log(`  OpenAI-compatible base URL: ${mock.url}/v1   Anthropic base URL: ${mock.url}`);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    console.log(`mock upstream: ${signal}, closing`);
    mock.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error('mock upstream: close failed', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error('mock upstream failed to start:', e instanceof Error ? e.message : e);
  process.exit(1);
});
