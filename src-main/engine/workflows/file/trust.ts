/**
 * What a workflow would run, in words a person can check before trusting it, and the content
 * hash trust is remembered by. Describing never runs anything.
 */
import { createHash } from 'node:crypto';
import type { RunnerKind } from '../../../../src-shared/workflow';
import { definitionOf, exportWorkflow, type Exportable } from './export';

export interface WhatItRuns {
  sessionId: string;
  sessionName: string;
  sessionType: string;
  kind: RunnerKind | 'none';
  /** One line: what runs. */
  summary: string;
  /** The command line, an excerpt of the script or the model's system prompt. */
  excerpt?: string;
  /** Names (never values) of environment variables the session sets. */
  env?: string[];
  workspace?: string;
  /** True when the session executes code or commands on this machine. */
  executes: boolean;
}

const EXCERPT_LINES = 20;
const EXCERPT_CHARS = 1500;

export function excerpt(text: string): string {
  const lines = text.split('\n');
  let out = lines.slice(0, EXCERPT_LINES).join('\n');
  if (out.length > EXCERPT_CHARS) out = out.slice(0, EXCERPT_CHARS);
  const cut = out.length < text.length;
  return cut ? `${out}\n… (${lines.length} lines, ${text.length} characters in all)` : out;
}

const quote = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;

export function describeWhatItRuns(workflow: Exportable): WhatItRuns[] {
  return definitionOf(workflow).sessions.map((s) => {
    const base = { sessionId: s.id, sessionName: s.name, sessionType: s.type };
    const at = s.workspace ? { workspace: s.workspace } : {};
    const r = s.runner;
    if (!r) {
      return { ...base, ...at, kind: 'none', executes: false, summary: 'runs nothing (no runner)' };
    }
    switch (r.kind) {
      case 'shell': {
        const line = [r.command, ...(r.args ?? [])].map(quote).join(' ');
        return {
          ...base,
          ...at,
          kind: r.kind,
          executes: true,
          summary: r.shell
            ? 'runs a command line through the system shell (sh -c / cmd.exe)'
            : 'runs a program on this machine',
          excerpt: r.shell ? [r.command, ...(r.args ?? [])].join(' ') : line,
          ...(r.env && Object.keys(r.env).length ? { env: Object.keys(r.env) } : {}),
        };
      }
      case 'script':
        return {
          ...base,
          ...at,
          kind: r.kind,
          executes: true,
          summary: `runs JavaScript (${r.source.split('\n').length} lines) in a worker thread`,
          excerpt: excerpt(r.source),
        };
      case 'claude':
        return {
          ...base,
          ...at,
          kind: r.kind,
          executes: false,
          summary:
            `sends messages to the model ${r.model}` +
            (r.baseURL ? ` at ${r.baseURL}` : ' (Anthropic API)') +
            (r.maxTokens ? `, up to ${r.maxTokens} tokens per answer` : ''),
          ...(r.system ? { excerpt: excerpt(r.system) } : {}),
        };
      case 'claude-code':
        return {
          ...base,
          ...at,
          kind: r.kind,
          executes: true,
          summary:
            'runs a Claude Code agent on this machine that can edit files and run commands' +
            (r.allowedTools?.length
              ? ` (allowed without asking: ${r.allowedTools.join(', ')})`
              : '') +
            (r.permissionMode ? `, permission mode ${r.permissionMode}` : ''),
          ...(r.appendSystemPrompt ? { excerpt: excerpt(r.appendSystemPrompt) } : {}),
          ...(r.env && Object.keys(r.env).length ? { env: Object.keys(r.env) } : {}),
        };
      case 'manual':
        return {
          ...base,
          ...at,
          kind: r.kind,
          executes: false,
          summary: 'waits for a person to answer',
        };
      case 'fan-out':
        return {
          ...base,
          ...at,
          kind: r.kind,
          executes: false,
          summary: 'sends the run input to every connected department and collects their reports',
        };
    }
  });
}

/** Plain text of describeWhatItRuns, for a terminal or a confirmation dialog. */
export function formatWhatItRuns(items: readonly WhatItRuns[]): string {
  return items
    .map((item) => {
      const head = `• ${item.sessionName} (${item.sessionType}, ${item.kind}): ${item.summary}`;
      const lines = [head];
      if (item.workspace) lines.push(`  in ${item.workspace}`);
      if (item.env) lines.push(`  sets environment: ${item.env.join(', ')}`);
      if (item.excerpt) lines.push(...item.excerpt.split('\n').map((l) => `  │ ${l}`));
      return lines.join('\n');
    })
    .join('\n');
}

/** sha256 (hex) of the canonical export: equal files, equal hashes; any change, a new hash. */
export function contentHash(workflow: Exportable): string {
  return createHash('sha256').update(exportWorkflow(workflow), 'utf8').digest('hex');
}
