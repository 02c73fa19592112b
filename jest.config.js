/**
 * Tiers: unit specs beside the code, e2e (whole app, embedded), integration (real services),
 * security (attacks on the real HTTP API) and fault (real services behind a fault proxy).
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }];
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
};
module.exports = {
  // Boots of the whole app (PGlite, real services) take seconds; per-project timeouts are not supported.
  testTimeout: 60000,
  // A handle some suite leaks kept a finished run alive, one core busy, until CI's deadline;
  // results are complete when the run ends, so the process must end with it.
  forceExit: true,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // test/lint: the local ESLint rules' RuleTester specs.
      testMatch: [
        '<rootDir>/src/**/*.spec.ts',
        '<rootDir>/test/mock-upstream/**/*.spec.ts',
        '<rootDir>/test/lint/**/*.spec.ts',
      ],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    // Attacks replayed against the real HTTP API (issue classes, fuzz corpus, event-loop probe).
    { ...common, displayName: 'security', testMatch: ['<rootDir>/test/security/**/*.sec-spec.ts'] },
    // Faults injected between the gateway and real services (TCP fault proxy, kill -9, outages).
    { ...common, displayName: 'fault', testMatch: ['<rootDir>/test/fault/**/*.fault-spec.ts'] },
  ],
};
