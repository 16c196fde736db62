// The policy-language tests are pure (no database): this config runs them without the suite's
// PostgreSQL global setup. `npx vitest run --config test/rules/vitest.config.ts`
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/rules/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
