import { describe, expect, it } from 'vitest';

import { newKey } from './uuid';

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idempotency keys', () => {
  it('uses crypto.randomUUID where it exists', () => {
    expect(newKey({ randomUUID: () => '11111111-2222-4333-8444-555555555555' })).toBe(
      '11111111-2222-4333-8444-555555555555',
    );
  });

  it('falls back to getRandomValues outside a secure context', () => {
    const key = newKey({ getRandomValues: (array) => array });
    expect(key).toMatch(V4);
  });

  it('still makes distinct v4 keys with no crypto at all', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newKey(undefined)));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(V4);
  });
});
