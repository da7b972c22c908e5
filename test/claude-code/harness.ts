/**
 * For the claude-code tests: a real git repository in a temp dir, a real engine on SQLite, the
 * real Claude Code binary, and the loopback Messages API scripting each agent by a marker in its
 * system prompt.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowDefinition, WorkflowSession } from '../../src-shared/workflow';
import {
  script,
  startAnthropicLoopback,
  type AnthropicLoopback,
  type ScriptedResponse,
} from '../helpers/anthropic-loopback';
import { tempDir, tempEngine, type TempEngine } from '../helpers/temp-engine';

// The runner reads the key from the engine's environment, as in production.
process.env.ANTHROPIC_API_KEY ??= 'test-key';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();
}

/** A repository with one commit on main: README.md and file.txt ("line one"). */
export function makeRepo(): string {
  const dir = join(tempDir('cc-repo-'), 'repo');
  mkdirSync(dir);
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README.md'), '# test\n');
  writeFileSync(join(dir, 'file.txt'), 'line one\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** The agent's working directory, as Claude Code tells the model in its first request. */
export function cwdOf(raw: string): string {
  const match = /Primary working directory: ([^\\"]+?)(?:\\n|")/.exec(raw);
  if (!match) throw new Error('the request names no working directory');
  return match[1]!;
}

let toolIds = 0;
/** Claude Code keys tool results by id: every scripted call needs its own. */
export const toolId = () => `toolu_cc_${++toolIds}`;

/** A Write tool call into the agent's working directory. */
export function writeFile(name: string, content: string): ScriptedResponse {
  return {
    kind: 'dynamic',
    make: (_body, raw) =>
      script.toolUse([
        { id: toolId(), name: 'Write', input: { file_path: join(cwdOf(raw), name), content } },
      ]),
  };
}

/** A Read tool call (Claude Code writes an existing file only after reading it). */
export function readFile(name: string): ScriptedResponse {
  return {
    kind: 'dynamic',
    make: (_body, raw) =>
      script.toolUse([
        { id: toolId(), name: 'Read', input: { file_path: join(cwdOf(raw), name) } },
      ]),
  };
}

export const marker = (name: string) => `MARKER-${name}-MARKER`;

export function department(
  name: string,
  runner: Record<string, unknown> = {},
  x = 300,
): WorkflowSession {
  return {
    id: name,
    type: 'department',
    name,
    runner: {
      kind: 'claude-code',
      model: 'claude-sonnet-4-5',
      allowedTools: ['Write', 'Edit', 'Read'],
      appendSystemPrompt: marker(name),
      ...runner,
    } as WorkflowSession['runner'],
    position: { x, y: 0 },
  };
}

export function workflow(
  departments: WorkflowSession[],
  options: {
    repository?: string;
    director?: Record<string, unknown>;
    extra?: WorkflowSession[];
  } = {},
): WorkflowDefinition {
  const director: WorkflowSession = {
    id: 'director',
    type: 'director',
    name: 'director',
    ...(options.director ? { runner: options.director as WorkflowSession['runner'] } : {}),
    position: { x: 0, y: 0 },
  };
  return {
    name: `cc-${Math.random().toString(36).slice(2, 8)}`,
    sessions: [director, ...departments, ...(options.extra ?? [])],
    edges: departments.map((d) => ({ id: `e-${d.id}`, from: 'director', to: d.id })),
    ...(options.repository ? { repository: { path: options.repository } } : {}),
  } as WorkflowDefinition;
}

export async function loopback(): Promise<AnthropicLoopback> {
  return startAnthropicLoopback();
}

/** A fresh engine on a temp database and a fresh Anthropic loopback, for each test. */
export async function openTestbed(): Promise<{ t: TempEngine; lb: AnthropicLoopback }> {
  return { t: await tempEngine(), lb: await loopback() };
}

export async function closeTestbed(t: TempEngine, lb: AnthropicLoopback): Promise<void> {
  await t.cleanup();
  await lb.close();
}

/** Pids of the Claude Code binaries this test process started (its direct children). */
export function claudePids(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(
      ([, ppid, ...args]) =>
        Number(ppid) === process.pid &&
        args.join(' ').includes('claude-agent-sdk-linux-x64/claude'),
    )
    .map(([pid]) => Number(pid));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
