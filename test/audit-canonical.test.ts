import { describe, expect, it } from 'vitest';
import { canonicalJson, toJson } from '../src/audit/canonical-json.ts';
import { GENESIS_HASH, hashAuditRow } from '../src/audit/audit-trail.ts';

describe('audit hashing', () => {
  it('serialises the same value the same way whatever the key order', () => {
    expect(canonicalJson(toJson({ b: 1, a: { d: 2n, c: [new Date('2024-01-01T00:00:00Z')] } }))).toBe('{"a":{"c":["2024-01-01T00:00:00.000Z"],"d":"2"},"b":1}');
    expect(canonicalJson(toJson({ a: 1, b: 2 }))).toBe(canonicalJson(toJson({ b: 2, a: 1 })));
  });

  it('changes the hash when any field or the previous hash changes', () => {
    const row = { seq: 1, at: new Date('2024-06-15T00:00:00Z'), actor: 'a', action: 'x', entityType: 't', entityId: '1', payload: { n: 1 }, prevHash: GENESIS_HASH };
    const h = hashAuditRow(row, 'sha256');
    expect(hashAuditRow({ ...row }, 'sha256')).toBe(h);
    expect(hashAuditRow({ ...row, actor: 'b' }, 'sha256')).not.toBe(h);
    expect(hashAuditRow({ ...row, payload: { n: 2 } }, 'sha256')).not.toBe(h);
    expect(hashAuditRow({ ...row, prevHash: 'f'.repeat(64) }, 'sha256')).not.toBe(h);
  });
});
