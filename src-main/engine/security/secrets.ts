/**
 * Secrets the runners need (the Anthropic API key), kept out of the database, so no checkpoint,
 * workflow file or audit row can carry them, and never sent over the contract.
 *
 * Where: the OS keychain when the host has one — Electron's safeStorage encrypts each value
 * with a key the OS keeps (Keychain, DPAPI, libsecret); the desktop shell injects it as a
 * `SecretCipher` (the engine never imports electron). Elsewhere (CLI, `orchestration serve`,
 * a machine without a keyring) values sit in a JSON file readable only by the user (mode 0600),
 * and the first read or write of one says so in one line.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '../../../src-shared/errors';

/** The secret the claude runners use (the same name as the environment variable). */
export const ANTHROPIC_API_KEY = 'ANTHROPIC_API_KEY';

export interface SecretStore {
  /** 'keychain': encrypted by the OS; 'file': a 0600 plain file; 'memory': this process only. */
  readonly kind: 'keychain' | 'file' | 'memory';
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
  /** Names of the stored secrets (never their values). */
  names(): Promise<string[]>;
}

/** Encrypts with a key the OS keeps (Electron: safeStorage.encryptString/decryptString). */
export interface SecretCipher {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;
const MAX_VALUE = 16 * 1024;

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(
      'INVALID_INPUT',
      'A secret name is a letter or _ followed by up to 99 letters, digits or _ (e.g. ANTHROPIC_API_KEY).',
      'name',
      typeof name === 'string' ? name.slice(0, 100) : undefined,
    );
  }
  return name;
}

/** The value is never echoed back, not even in the error. */
function checkValue(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE) {
    throw new ValidationError(
      'INVALID_INPUT',
      `A secret value is a non-empty string of at most ${MAX_VALUE} characters.`,
      'value',
    );
  }
  return value;
}

export class MemorySecretStore implements SecretStore {
  readonly kind: SecretStore['kind'] = 'memory';
  protected readonly values = new Map<string, string>();

  async get(name: string) {
    return this.values.get(checkName(name));
  }
  async set(name: string, value: string) {
    this.values.set(checkName(name), checkValue(value));
  }
  async delete(name: string) {
    return this.values.delete(checkName(name));
  }
  async names() {
    return [...this.values.keys()].sort();
  }
}

/**
 * A JSON file `{ "secrets": { name: stored } }`, mode 0600, rewritten atomically (temp file with
 * mode 0600, then rename). With a cipher, `stored` is base64 ciphertext (kind 'keychain');
 * without one it is the value itself (kind 'file'), and `warn` gets one line the first time a
 * value is read or written.
 */
export class FileSecretStore implements SecretStore {
  readonly kind: SecretStore['kind'];
  private warned = false;

  constructor(
    readonly path: string,
    private readonly options: { cipher?: SecretCipher; warn?: (line: string) => void } = {},
  ) {
    this.kind = options.cipher ? 'keychain' : 'file';
  }

  async get(name: string): Promise<string | undefined> {
    const stored = this.read()[checkName(name)];
    if (stored === undefined) return undefined;
    this.warnOnce();
    return this.options.cipher
      ? this.options.cipher.decrypt(Buffer.from(stored, 'base64'))
      : stored;
  }

  async set(name: string, value: string): Promise<void> {
    const all = this.read();
    const plain = checkValue(value);
    all[checkName(name)] = this.options.cipher
      ? this.options.cipher.encrypt(plain).toString('base64')
      : plain;
    this.write(all);
    this.warnOnce();
  }

  async delete(name: string): Promise<boolean> {
    const all = this.read();
    if (!(checkName(name) in all)) return false;
    delete all[name];
    this.write(all);
    return true;
  }

  async names(): Promise<string[]> {
    return Object.keys(this.read()).sort();
  }

  private warnOnce(): void {
    if (this.options.cipher || this.warned) return;
    this.warned = true;
    (this.options.warn ?? ((line: string) => console.warn(line)))(
      `[secrets] No OS keychain available: API keys are kept unencrypted in ${this.path}, readable only by you (mode 0600).`,
    );
  }

  private read(): Record<string, string> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null);
      throw error;
    }
    // A copy restored from a backup may have lost its mode: take it back to owner-only.
    if (process.platform !== 'win32' && (statSync(this.path).mode & 0o077) !== 0) {
      chmodSync(this.path, 0o600);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Never quote the text: it holds secrets.
      throw new ValidationError('INVALID_FORMAT', `The secrets file ${this.path} is not JSON.`);
    }
    const out: Record<string, string> = Object.create(null);
    const secrets = (parsed as { secrets?: unknown } | null)?.secrets;
    if (secrets && typeof secrets === 'object') {
      for (const [k, v] of Object.entries(secrets)) {
        if (NAME.test(k) && typeof v === 'string') out[k] = v;
      }
    }
    return out;
  }

  private write(all: Record<string, string>): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ secrets: { ...all } }, null, 2) + '\n', { mode: 0o600 });
    chmodSync(temp, 0o600); // the umask cannot widen it, but an existing temp file keeps its mode
    renameSync(temp, this.path);
  }
}

/** The store an engine uses when the host injects none: secrets.json beside the database. */
export function defaultSecretStore(databasePath: string): SecretStore {
  if (databasePath === ':memory:' || databasePath === '') return new MemorySecretStore();
  return new FileSecretStore(join(dirname(resolve(databasePath)), 'secrets.json'));
}

/**
 * The environment the claude runners read their key from: the process environment, with the
 * stored ANTHROPIC_API_KEY filling in when the environment has none.
 */
export async function runnerEnv(
  store: SecretStore,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NodeJS.ProcessEnv> {
  if (env[ANTHROPIC_API_KEY]?.trim()) return env;
  const key = await store.get(ANTHROPIC_API_KEY);
  return key === undefined ? env : { ...env, [ANTHROPIC_API_KEY]: key };
}
