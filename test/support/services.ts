/**
 * The real services named by the environment, captured when this file is first imported. Test
 * apps get them through the env they are given (`startTestApp`), never through process.env.
 */
export const SERVICE_URLS = {
  MONGODB_URI: process.env.MONGODB_URI,
  DATABASE_URL: process.env.DATABASE_URL,
  REDIS_URL: process.env.REDIS_URL,
  RABBITMQ_URL: process.env.RABBITMQ_URL,
};

export type ServiceKey = keyof typeof SERVICE_URLS;

const required = process.env.REQUIRE_SERVICES === '1';

/**
 * `describe` when every named service URL is set; otherwise, says which is missing and skips
 * (or fails, under REQUIRE_SERVICES=1, so CI can never pass by skipping).
 */
export function describeWithServices(keys: ServiceKey[], name: string, fn: () => void): void {
  const missing = keys.filter((k) => !SERVICE_URLS[k]);
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const reason = `${name}: ${missing.join(', ')} not set`;
  if (required) {
    describe(name, () => {
      it('has its services configured (REQUIRE_SERVICES=1)', () => {
        throw new Error(`${reason}, but REQUIRE_SERVICES=1`);
      });
    });
    return;
  }
  // The reason is printed and is also the suite's name in Jest's report, so a skip never hides.
  console.log(`[skip] ${reason}; set it to run this suite`);
  describe.skip(`${name} (skipped: ${missing.join(', ')} not set)`, fn);
}
