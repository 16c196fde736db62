import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    // Personal-data keys for the suite (test values, nothing real is protected by them). Child processes
    // the tests start (cli, serve, workers) inherit them, so they read what the test process wrote.
    env: {
      DATA_KEYS: 'test1:Tv01Y4ShgbeEtMf+DN3BEw==',
      DATA_KEY_CURRENT: 'test1',
      ID_HASH_KEY: 'TKjKVpfU3HKms17pbLYaHZfbKtXa0l+Zfpi0JkNli5Y=',
    },
    hookTimeout: 120_000,
  },
});
