/**
 * TokenService's verified-token cache: a token authenticated moments ago is taken again without
 * reading the store, but never past its expiry, never after a revoke in this process or
 * forget(), and never longer than VERIFIED_TOKEN_TTL_MS after another process revoked it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenService, VERIFIED_TOKEN_TTL_MS } from '../../src-main/engine/security/tokens';
import { openDatabase, type SqliteDb } from '../../src-main/engine/store/sqlite/database';
import { SqliteTokenStore } from '../../src-main/engine/store/sqlite/security';
import { tempDir } from '../helpers/temp-engine';

let dir: string;
let db: SqliteDb;
let clock: number;
let tokens: TokenService;
/** The same database as another process sees it: its own store and service. */
let elsewhere: TokenService;

beforeEach(() => {
  dir = tempDir();
  db = openDatabase({ path: join(dir, 'o.db') });
  clock = 1_000_000;
  tokens = new TokenService(new SqliteTokenStore(db), () => clock);
  elsewhere = new TokenService(new SqliteTokenStore(db), () => clock);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('verified-token cache', () => {
  it('sees a revocation by another process within the TTL, and at once after forget()', async () => {
    const t = await tokens.create({ role: 'developer' });
    expect(await tokens.authenticate(t.token)).toMatchObject({ tokenId: t.id, role: 'developer' });
    await elsewhere.revoke(t.id);
    clock += VERIFIED_TOKEN_TTL_MS - 1;
    expect(await tokens.authenticate(t.token)).toMatchObject({ tokenId: t.id });
    clock += 1;
    await expect(tokens.authenticate(t.token)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
      message: expect.stringContaining('revoked'),
    });

    const u = await tokens.create({ role: 'observer' });
    await tokens.authenticate(u.token);
    await elsewhere.revoke(u.id);
    tokens.forget(u.id);
    await expect(tokens.authenticate(u.token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('refuses at once a token revoked in this process', async () => {
    const t = await tokens.create({ role: 'admin' });
    await tokens.authenticate(t.token);
    await tokens.revoke(t.id);
    await expect(tokens.authenticate(t.token)).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });

  it('never takes a token past its expiry', async () => {
    const t = await tokens.create({ role: 'developer', expiresInMs: 500 });
    expect(await tokens.authenticate(t.token)).toMatchObject({ expiresAt: clock + 500 });
    clock += 500;
    await expect(tokens.authenticate(t.token)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
      message: expect.stringContaining('expired'),
    });
  });

  it('caches only tokens that were accepted', async () => {
    await expect(tokens.authenticate('orch_nope')).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
    const t = await tokens.create({ role: 'developer' });
    await expect(tokens.authenticate(`${t.token}x`)).rejects.toMatchObject({
      code: 'INVALID_TOKEN',
    });
    expect(await tokens.authenticate(t.token)).toMatchObject({ tokenId: t.id });
  });
});
