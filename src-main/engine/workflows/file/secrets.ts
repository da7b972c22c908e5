/**
 * Secrets never travel in a workflow file. A secret is a non-empty value under a secret-looking
 * name (apiKey, password, *_KEY, *_TOKEN, *SECRET* …), a string that looks like a known key
 * (sk-…, ghp_…, AKIA…), or credentials inside a URL. Export drops named ones and refuses the
 * rest; import refuses every one, naming where it is.
 */
import { pointer } from './problems';

export interface SecretFinding {
  path: string;
  /** `named`: a key that names a secret (droppable); `value`: a key-like string; `url`: user:pass@. */
  kind: 'named' | 'value' | 'url';
}

/** Upper-case environment names: FOO_KEY, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, DB_PASSWORD. */
const ENV_STYLE = /(?:^|_)(?:KEY|TOKEN|PASSWORD|PASSWD|CREDENTIALS?)$|SECRET/;
/** Other names, compared lower-case without separators: apiKey, api_key, authToken, clientSecret. */
const NAMED =
  /(?:apikey|accesskey|authkey|privatekey|secretkey|token|passwd|credentials?)$|secret|password/;

export function isSecretName(name: string): boolean {
  return ENV_STYLE.test(name) || NAMED.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

const KEY_LIKE =
  /^(?:sk-(?:ant-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|xox[abprs]-[\w-]{10,}|AKIA[0-9A-Z]{16})/;

function hasUrlCredentials(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

const present = (v: unknown) => v !== '' && v !== null && v !== undefined;

/**
 * Walks a JSON value; returns a copy without the named secrets and every finding.
 * Values inside script sources are strings too, but a source never *starts* with a key.
 */
export function scanSecrets(value: unknown, base: readonly PropertyKey[] = []) {
  const findings: SecretFinding[] = [];
  const walk = (v: unknown, path: PropertyKey[]): unknown => {
    if (typeof v === 'string') {
      if (KEY_LIKE.test(v)) findings.push({ path: pointer(path), kind: 'value' });
      else if (hasUrlCredentials(v)) findings.push({ path: pointer(path), kind: 'url' });
      return v;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      const named = isSecretName(key) && present(item) && typeof item !== 'boolean';
      if (named && (typeof item !== 'object' || item === null)) {
        findings.push({ path: pointer([...path, key]), kind: 'named' });
        continue;
      }
      out[key] = walk(item, [...path, key]);
    }
    return out;
  };
  const clean = walk(value, [...base]);
  return { clean, findings };
}

export function secretMessage(finding: SecretFinding): string {
  switch (finding.kind) {
    case 'named':
      return 'this looks like a secret (API key, token or password); files never carry secrets — set it in the environment of the machine that runs the workflow';
    case 'value':
      return 'this value looks like an API key or access token; remove it and pass it through the environment instead';
    case 'url':
      return 'this URL carries a user name or password; remove the credentials from the URL';
  }
}
