import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { isAppError } from '../src/errors.ts';

describe('configuration', () => {
  it('defaults to the embedded database', () => {
    expect(loadConfig({})).toMatchObject({ embedded: true, DATA_DIR: '.data', HTTP_PORT: 3000 });
  });

  it('names the variable that is wrong and what it must be', () => {
    const error = (() => {
      try {
        loadConfig({ DATABASE_URL: 'mysql://x', HTTP_PORT: 'eighty' });
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/DATABASE_URL="mysql:\/\/x": must be a postgres:\/\/ connection URL/);
    expect((error as Error).message).toMatch(/HTTP_PORT="eighty"/);
  });

  it('takes the owner login for migrations beside the application login, and refuses it alone', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db/m', MIGRATION_DATABASE_URL: 'postgres://owner@db/m' })).toMatchObject({ embedded: false, MIGRATION_DATABASE_URL: 'postgres://owner@db/m', AUDIT_CHECKPOINT_CRON: '30 0 * * *' });
    expect(() => loadConfig({ MIGRATION_DATABASE_URL: 'postgres://owner@db/m' })).toThrow(/MIGRATION_DATABASE_URL is set but DATABASE_URL is not/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app@db/m', MIGRATION_DATABASE_URL: 'owner@db' })).toThrow(/MIGRATION_DATABASE_URL="owner@db": must be a postgres:\/\/ connection URL/);
  });
});
