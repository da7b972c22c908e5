/** `orchestration token create | list | revoke` through the real CLI (engine.tokens). */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir } from './helpers';

const SLOW = 120_000;
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('orchestration token', () => {
  it(
    'create shows the secret once; list never does; revoke marks it revoked',
    async () => {
      const db = scratch.path('tokens.db');
      const created = await cli([
        'token',
        'create',
        '--role',
        'observer',
        '--expires',
        '7d',
        '--label',
        'ci',
        '--db',
        db,
        '--json',
      ]);
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const token = JSON.parse(created.stdout) as {
        id: string;
        token: string;
        role: string;
        expiresAt: number;
        label: string;
      };
      expect(token).toMatchObject({ role: 'observer', label: 'ci' });
      expect(token.token.length).toBeGreaterThan(20);
      const week = 7 * 86_400_000;
      expect(Math.abs(token.expiresAt - (Date.now() + week))).toBeLessThan(120_000);

      const revoked = await cli(['token', 'revoke', token.id, '--db', db]);
      expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${token.id}\n` });

      const listed = await cli(['token', 'list', '--db', db, '--json']);
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toContain(token.token);
      const list = JSON.parse(listed.stdout) as { id: string; revokedAt: number | null }[];
      expect(list).toHaveLength(1);
      expect(list[0]!.id).toBe(token.id);
      expect(list[0]!.revokedAt).toEqual(expect.any(Number));
    },
    SLOW,
  );
});
