/** Settings of a Claude Code agent session: model, tools, permission mode, limits, prompt. */
import { useId } from 'react';
import type { RunnerConfig } from '../../../src-shared/workflow';
import { CheckedField } from './CheckedField';
import { checkBudget, checkMaxTurns, checkModel, checkTools, checkUrl, toolList } from './validate';

type ClaudeCode = Extract<RunnerConfig, { kind: 'claude-code' }>;
type Mode = NonNullable<ClaudeCode['permissionMode']>;

const MODES: { value: Mode; label: string }[] = [
  { value: 'default', label: 'Ask me before edits and commands' },
  { value: 'acceptEdits', label: 'Accept file edits, ask for the rest' },
  { value: 'plan', label: 'Plan only (no edits)' },
  { value: 'dontAsk', label: 'Never ask: deny what the allow list does not allow' },
];

/** The runner without `key` when the new value is empty (the engine's default applies). */
function set<K extends keyof ClaudeCode>(
  r: ClaudeCode,
  key: K,
  v: ClaudeCode[K] | undefined,
): ClaudeCode {
  const next = { ...r };
  if (v === undefined || (Array.isArray(v) && v.length === 0) || v === '') delete next[key];
  else next[key] = v;
  return next;
}

const numberOrUndefined = (text: string) => {
  const t = text.trim().replace(/^\$/, '');
  return t ? Number(t) : undefined;
};

export function ClaudeCodeProperties({
  runner,
  onChange,
}: {
  runner: ClaudeCode;
  onChange: (next: ClaudeCode) => void;
}) {
  const modeId = useId();
  return (
    <>
      <CheckedField
        label="Model"
        value={runner.model ?? ''}
        placeholder="Claude Code's default"
        check={checkModel}
        onCommit={(v) => onChange(set(runner, 'model', v.trim() || undefined))}
      />
      <div className="field">
        <label htmlFor={modeId}>Permission mode</label>
        <select
          id={modeId}
          value={runner.permissionMode ?? 'default'}
          onChange={(e) =>
            onChange(
              set(
                runner,
                'permissionMode',
                e.currentTarget.value === 'default' ? undefined : (e.currentTarget.value as Mode),
              ),
            )
          }
        >
          {MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.value} — {m.label}
            </option>
          ))}
        </select>
      </div>
      <CheckedField
        label="Allowed tools"
        multiline
        rows={2}
        value={(runner.allowedTools ?? []).join('\n')}
        placeholder={'Read\nBash(npm test:*)'}
        hint="One per line; these run without asking you."
        check={checkTools}
        onCommit={(v) => onChange(set(runner, 'allowedTools', toolList(v)))}
      />
      <CheckedField
        label="Disallowed tools"
        multiline
        rows={2}
        value={(runner.disallowedTools ?? []).join('\n')}
        placeholder="WebFetch"
        check={checkTools}
        onCommit={(v) => onChange(set(runner, 'disallowedTools', toolList(v)))}
      />
      <div className="row">
        <CheckedField
          label="Max turns"
          inputMode="numeric"
          value={String(runner.maxTurns ?? '')}
          placeholder="no limit"
          check={checkMaxTurns}
          onCommit={(v) => onChange(set(runner, 'maxTurns', numberOrUndefined(v)))}
        />
        <CheckedField
          label="Budget (USD)"
          inputMode="decimal"
          value={String(runner.maxBudgetUsd ?? '')}
          placeholder="no limit"
          check={checkBudget}
          onCommit={(v) => onChange(set(runner, 'maxBudgetUsd', numberOrUndefined(v)))}
        />
      </div>
      <CheckedField
        label="Append to system prompt"
        multiline
        rows={4}
        value={runner.appendSystemPrompt ?? ''}
        placeholder="Extra instructions added to Claude Code's own system prompt"
        onCommit={(v) => onChange(set(runner, 'appendSystemPrompt', v || undefined))}
      />
      <CheckedField
        label="API base URL"
        inputMode="url"
        value={runner.baseURL ?? ''}
        placeholder="https://api.anthropic.com"
        check={checkUrl}
        onCommit={(v) => onChange(set(runner, 'baseURL', v.trim() || undefined))}
      />
    </>
  );
}
