/** `orchestration secret set | list | delete` through the real CLI (engine.secrets). */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli, scratchDir } from './helpers';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());
const KEY = 'sk-ant-api03-' + 'Q'.repeat(60);

it('stores a key read from stdin, lists names only, deletes; never prints the value', async () => {
  const db = scratch.path('secrets.db');
  const set = await cli(['secret', 'set', '--db', db], { input: `${KEY}\n` });
  expect(set.code).toBe(0);
  expect(set.stdout).toBe('stored ANTHROPIC_API_KEY (file)\n');
  expect(set.stderr).toMatch(/No OS keychain available/);
  const file = join(scratch.dir, 'secrets.json');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
    secrets: { ANTHROPIC_API_KEY: expect.stringContaining(KEY) },
  });

  const list = await cli(['secret', 'list', '--db', db, '--json']);
  expect(JSON.parse(list.stdout)).toEqual(['ANTHROPIC_API_KEY']);
  for (const r of [set, list]) expect(r.stdout + r.stderr).not.toContain(KEY);

  const empty = await cli(['secret', 'set', 'OTHER_KEY', '--db', db], { input: '' });
  expect(empty.code).toBe(1);
  expect(empty.stderr).toMatch(/^INVALID_INPUT: A secret value is a non-empty string/);
  const badName = await cli(['secret', 'set', '1bad', '--db', db], { input: 'x' });
  expect(badName.stderr).toMatch(/^INVALID_INPUT: A secret name/);

  expect((await cli(['secret', 'delete', 'ANTHROPIC_API_KEY', '--db', db])).stdout).toBe(
    'deleted ANTHROPIC_API_KEY\n',
  );
  expect((await cli(['secret', 'list', '--db', db])).stdout).toBe('no secrets\n');
  expect((await cli(['secret', 'rotate', '--db', db])).code).toBe(2);
}, 120_000);
