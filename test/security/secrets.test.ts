/**
 * API keys outside the database: the 0600 file store (the fallback when there is no OS
 * keychain), the cipher-backed store the desktop shell gives safeStorage to, and the promise
 * that a key is never logged and never leaves in a checkpoint, a workflow file or the contract.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANTHROPIC_API_KEY, FileSecretStore, runnerEnv } from '../../src-main/engine/security';
import { script, startAnthropicLoopback } from '../helpers/anthropic-loopback';
import { tempDir, tempEngine, type TempEngine } from '../helpers/temp-engine';

const KEY = 'sk-ant-api03-' + 'Z'.repeat(80);
const dirs: string[] = [];
const engines: TempEngine[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const e of engines.splice(0)) await e.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
const mode = (path: string) => statSync(path).mode & 0o777;

/** Everything written to the console while `fn` runs. */
async function consoleOf(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  await fn().catch((e: unknown) => lines.push(String(e), JSON.stringify(e)));
  vi.restoreAllMocks();
  return lines.join('\n');
}

describe.skipIf(process.platform === 'win32')('FileSecretStore (no keychain)', () => {
  it('keeps keys in a file only its owner can read, with one warning line', async () => {
    const path = join(dir(), 'data', 'secrets.json');
    const warnings: string[] = [];
    const store = new FileSecretStore(path, { warn: (l) => warnings.push(l) });
    expect(store.kind).toBe('file');
    expect(await store.get(ANTHROPIC_API_KEY)).toBeUndefined();
    expect(warnings).toEqual([]); // nothing stored, nothing to warn about
    await store.set(ANTHROPIC_API_KEY, KEY);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(path, '..'))).toBe(0o700);
    expect(await store.get(ANTHROPIC_API_KEY)).toBe(KEY);
    expect(await store.names()).toEqual([ANTHROPIC_API_KEY]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/No OS keychain.*readable only by you \(mode 0600\)/);
    expect(warnings[0]).not.toContain(KEY);
    // A new process (a new store) reads it back.
    expect(await new FileSecretStore(path, { warn: () => {} }).get(ANTHROPIC_API_KEY)).toBe(KEY);
    expect(await store.delete(ANTHROPIC_API_KEY)).toBe(true);
    expect(await store.delete(ANTHROPIC_API_KEY)).toBe(false);
    expect(await store.get(ANTHROPIC_API_KEY)).toBeUndefined();
  });

  it('takes a file whose mode was widened back to 0600 when it reads it', async () => {
    const path = join(dir(), 'secrets.json');
    writeFileSync(path, JSON.stringify({ secrets: { [ANTHROPIC_API_KEY]: KEY } }), { mode: 0o644 });
    const store = new FileSecretStore(path, { warn: () => {} });
    expect(await store.get(ANTHROPIC_API_KEY)).toBe(KEY);
    expect(mode(path)).toBe(0o600);
  });

  it('never puts a value in a log line or an error', async () => {
    const path = join(dir(), 'secrets.json');
    const store = new FileSecretStore(path);
    const out = await consoleOf(async () => {
      await store.set(ANTHROPIC_API_KEY, KEY);
      await store.get(ANTHROPIC_API_KEY);
      await store.set('bad name!', KEY).catch((e: unknown) => console.error(e));
      await store.set(ANTHROPIC_API_KEY, '').catch((e: unknown) => console.error(e));
      writeFileSync(path, `{ "secrets": { "${ANTHROPIC_API_KEY}": "${KEY}" `); // broken JSON
      await store.get(ANTHROPIC_API_KEY).catch((e: unknown) => console.error(e));
    });
    expect(out).toContain('No OS keychain'); // the one warning
    expect(out).toContain('A secret name is');
    expect(out).toContain('is not JSON');
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(KEY.slice(0, 20));
  });

  it('refuses names that are not identifiers and empty values', async () => {
    const store = new FileSecretStore(join(dir(), 's.json'), { warn: () => {} });
    for (const name of ['', '__proto__x y', '../etc', 'a'.repeat(101)]) {
      await expect(store.set(name, 'v')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    await expect(store.set('OK_NAME', '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('FileSecretStore with an OS cipher (the desktop keychain)', () => {
  it('writes only ciphertext and does not warn', async () => {
    const path = join(dir(), 'secrets.keychain.json');
    // Stands in for safeStorage: a reversible transform the file must not reveal.
    const cipher = {
      encrypt: (plain: string) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
      decrypt: (c: Buffer) => Buffer.from([...c].map((b) => b ^ 0x5a)).toString(),
    };
    const warnings: string[] = [];
    const store = new FileSecretStore(path, { cipher, warn: (l) => warnings.push(l) });
    expect(store.kind).toBe('keychain');
    await store.set(ANTHROPIC_API_KEY, KEY);
    expect(readFileSync(path, 'utf8')).not.toContain(KEY.slice(0, 12));
    expect(await store.get(ANTHROPIC_API_KEY)).toBe(KEY);
    expect(warnings).toEqual([]);
  });
});

describe('an engine with a stored key', () => {
  it('keeps it out of the database, checkpoints, workflow files and the contract', async () => {
    const t = await tempEngine();
    engines.push(t);
    const { engine } = t;
    expect(engine.secrets.kind).toBe('file');
    const out = await consoleOf(async () => {
      await engine.secrets.set(ANTHROPIC_API_KEY, KEY);
      const wf = await engine.workflows.create({
        name: 'Ask',
        sessions: [
          {
            id: 'd',
            type: 'director',
            name: 'D',
            runner: { kind: 'fan-out' },
            position: { x: 0, y: 0 },
          },
          {
            id: 'c',
            type: 'department',
            name: 'C',
            runner: { kind: 'claude', model: 'claude-sonnet-4-5' },
            position: { x: 1, y: 0 },
          },
        ],
        edges: [{ id: 'e', from: 'd', to: 'c' }],
      });
      const cp = await engine.checkpoints.create({ name: 'with key' });
      const file = await engine.checkpoints.exportCheckpoint(cp.id);
      const exported = await engine.files.export(wf.id);
      expect(file.includes(KEY)).toBe(false);
      expect(exported.text).not.toContain(KEY);
    });
    expect(out).not.toContain(KEY);
    await engine.close();
    expect(readFileSync(t.databasePath).includes(KEY)).toBe(false);
    expect(mode(join(t.dir, 'secrets.json'))).toBe(0o600);
    // No contract method carries a secret store.
    const { METHOD_NAMES } = await import('../../src-shared/contract');
    expect(METHOD_NAMES.filter((m) => /secret|key/i.test(m))).toEqual([]);
  });

  it('fills ANTHROPIC_API_KEY in the runner environment only when the environment has none', async () => {
    const store = new FileSecretStore(join(dir(), 's.json'), { warn: () => {} });
    expect((await runnerEnv(store, {}))[ANTHROPIC_API_KEY]).toBeUndefined();
    await store.set(ANTHROPIC_API_KEY, KEY);
    expect((await runnerEnv(store, { PATH: '/bin' }))[ANTHROPIC_API_KEY]).toBe(KEY);
    expect((await runnerEnv(store, { [ANTHROPIC_API_KEY]: 'from-env' }))[ANTHROPIC_API_KEY]).toBe(
      'from-env',
    );
  });

  it('is the key a claude run sends when the environment has none', async () => {
    const fromEnv = process.env[ANTHROPIC_API_KEY];
    delete process.env[ANTHROPIC_API_KEY];
    const server = await startAnthropicLoopback();
    try {
      const t = await tempEngine();
      engines.push(t);
      await consoleOf(() => t.engine.secrets.set(ANTHROPIC_API_KEY, KEY));
      server.enqueue(script.text(['Hello from the stored key']));
      const wf = await t.engine.workflows.create({
        name: 'Ask',
        sessions: [
          { id: 'd', type: 'director', name: 'D', position: { x: 0, y: 0 } },
          {
            id: 'c',
            type: 'department',
            name: 'C',
            runner: { kind: 'claude', model: 'claude-sonnet-4-5', baseURL: server.url },
            position: { x: 1, y: 0 },
          },
        ],
        edges: [{ id: 'e', from: 'd', to: 'c' }],
      });
      const run = await t.engine.runs.start(wf.id, 'Say hello');
      const done = await t.engine.runs.wait(run.id, 20_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      expect(server.requests).toHaveLength(1);
      // The official SDK sends the key as a bearer token.
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await server.close();
      if (fromEnv !== undefined) process.env[ANTHROPIC_API_KEY] = fromEnv;
    }
  });
});
