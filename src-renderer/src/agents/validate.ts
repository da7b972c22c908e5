/**
 * Field checks for the Claude Code runner and the workflow's repository, worded for a person;
 * each returns the problem or null. They agree with the schemas in src-shared/workflow.ts
 * (which the engine enforces again) but say what to type instead.
 */
export type Check = (text: string) => string | null;

const MAX_TOOLS = 200;

export const checkMaxTurns: Check = (text) => {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isInteger(n) && n >= 1 && n <= 10_000
    ? null
    : 'Max turns is a whole number from 1 to 10,000 (empty: no limit).';
};

export const checkBudget: Check = (text) => {
  const t = text.trim().replace(/^\$/, '');
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 && n <= 100_000
    ? null
    : 'The budget is an amount in US dollars above 0 and at most 100,000 (empty: no limit).';
};

export const checkModel: Check = (text) =>
  text.trim().length > 200 ? 'A model name is at most 200 characters.' : null;

/** Tool names, one per line or separated by commas (e.g. `Read`, `Bash(npm test:*)`). */
export function toolList(text: string): string[] {
  return text
    .split(/\n|,(?![^(]*\))/)
    .map((t) => t.trim())
    .filter(Boolean);
}

export const checkTools: Check = (text) => {
  const tools = toolList(text);
  if (tools.length > MAX_TOOLS) return `At most ${MAX_TOOLS} tools.`;
  const long = tools.find((t) => t.length > 500);
  return long ? `The tool "${long.slice(0, 40)}…" is longer than 500 characters.` : null;
};

export const checkUrl: Check = (text) => {
  const t = text.trim();
  if (!t) return null;
  try {
    const u = new URL(t);
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? null
      : 'The API base URL starts with http:// or https://.';
  } catch {
    return 'Enter a full URL, such as https://api.anthropic.com or http://127.0.0.1:8080.';
  }
};

/**
 * A folder path. Relative paths are allowed: a server with a workspace root resolves them
 * against it (and refuses anything outside it with its own message).
 */
export const checkPath =
  (what: string): Check =>
  (text) => {
    const t = text.trim();
    if (!t) return null;
    if (t.length > 4096) return `The ${what} is longer than 4,096 characters.`;
    return /[\n\r\0]/.test(t) ? `The ${what} cannot contain line breaks.` : null;
  };

/** The parts of git's ref-name rules a person is likely to trip on (git check-ref-format). */
export const checkBranch: Check = (text) => {
  const t = text.trim();
  if (!t) return null;
  if (t.startsWith('-')) return 'A branch name cannot start with "-".';
  // eslint-disable-next-line no-control-regex -- git refuses control characters in ref names
  if (/[\s~^:?*[\\\x00-\x1f\x7f]/.test(t)) {
    return 'A branch name cannot contain spaces or any of ~ ^ : ? * [ \\.';
  }
  if (t.includes('..') || t.includes('@{') || t.includes('//')) {
    return 'A branch name cannot contain "..", "@{" or "//".';
  }
  if (t.startsWith('/') || t.endsWith('/') || t.endsWith('.') || t.endsWith('.lock')) {
    return 'A branch name cannot start or end with "/", or end with "." or ".lock".';
  }
  if (t.length > 250) return 'A branch name is at most 250 characters.';
  return null;
};
