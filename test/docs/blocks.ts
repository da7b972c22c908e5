/**
 * Fenced code blocks of a Markdown page, and the conventions that say how a doc example runs
 * (docs/README.md tells writers the same):
 *   ```ts / ```js / ```sh      runs; `no-run` in the info string opts out (a fragment or a
 *                              signature, not a program), `exit=N` expects that exit code
 *   ```text output            right after a runnable block: what it prints (stdout, then
 *                              stderr), line by line in order, `…` standing for any text
 */
export interface Block {
  lang: string;
  /** Words after the language in the info string. */
  flags: string[];
  code: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

export interface Example extends Block {
  /** The output block that follows it, if any. */
  output?: string;
  exitCode: number;
}

export const RUNNABLE = new Set(['ts', 'js', 'sh']);

export function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    out.push({
      lang: open[1]!,
      flags: open[2]!.split(/\s+/).filter(Boolean),
      code: body.join('\n') + '\n',
      line: start + 1,
    });
  }
  return out;
}

/** The runnable examples of a page, each with the output block that follows it. */
export function examples(markdown: string): Example[] {
  const all = blocks(markdown);
  const out: Example[] = [];
  all.forEach((b, i) => {
    if (!RUNNABLE.has(b.lang) || b.flags.includes('no-run')) return;
    const next = all[i + 1];
    const exit = b.flags.find((f) => f.startsWith('exit='));
    const example: Example = { ...b, exitCode: exit ? Number(exit.slice(5)) : 0 };
    if (next && next.lang === 'text' && next.flags.includes('output')) example.output = next.code;
    out.push(example);
  });
  return out;
}

/**
 * Every non-empty expected line must match a line of `actual`, in order; `…` matches any text.
 * Returns the first expected line that found no match, or undefined when all did.
 */
export function missingLine(expected: string, actual: string): string | undefined {
  const got = actual.split('\n').map((l) => l.trimEnd());
  let at = 0;
  for (const want of expected.split('\n').map((l) => l.trimEnd())) {
    if (want.trim() === '') continue;
    const pattern = new RegExp(
      '^' +
        want
          .split('…')
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    while (at < got.length && !pattern.test(got[at]!)) at++;
    if (at === got.length) return want;
    at++;
  }
  return undefined;
}
