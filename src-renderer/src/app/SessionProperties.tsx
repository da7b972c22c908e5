/** Name, runner and its settings, workspace and limits of one session. */
import {
  RUNNER_KINDS_BY_TYPE,
  type RunnerConfig,
  type RunnerKind,
} from '../../../src-shared/workflow';
import * as cmd from '../editor/commands';
import { commit, docOf, setNotice, useEditor } from '../stores/editor';
import { ClaudeCodeProperties } from '../agents/ClaudeCodeProperties';
import { Field, SelectField, intOrUndefined } from './fields';

const DEFAULTS: Record<RunnerKind, RunnerConfig> = {
  'fan-out': { kind: 'fan-out' },
  script: cmd.defaultRunner('department') as RunnerConfig,
  shell: { kind: 'shell', command: 'echo', args: ['hello'] },
  claude: { kind: 'claude', model: 'claude-sonnet-4-5' },
  'claude-code': { kind: 'claude-code' },
  manual: { kind: 'manual' },
};

export function SessionProperties({ id }: { id: string }) {
  const session = useEditor((s) => docOf(s).sessions.find((x) => x.id === id));
  if (!session) return null;
  const patch = (p: Parameters<typeof cmd.updateSession>[2]) =>
    commit(cmd.updateSession(docOf(useEditor.getState()), id, p));
  const kinds = RUNNER_KINDS_BY_TYPE[session.type] as readonly RunnerKind[];
  const runner = session.runner;
  const setRunner = (r: RunnerConfig) => patch({ runner: r });
  const rename = (name: string) => {
    const trimmed = name.trim();
    const taken = docOf(useEditor.getState()).sessions.some(
      (s) => s.id !== id && s.name === trimmed,
    );
    if (!trimmed) return setNotice('A session needs a name.');
    if (taken) return setNotice(`Another session is already called "${trimmed}".`);
    patch({ name: trimmed });
  };
  return (
    <section className="panel" aria-label="Session properties">
      <h2>
        {session.type}: {session.name}
      </h2>
      <Field label="Name" value={session.name} onCommit={rename} />
      {kinds.length > 0 && (
        <SelectField
          label="Runner"
          value={runner?.kind ?? kinds[0]!}
          options={kinds}
          onChange={(kind) => setRunner(structuredClone(DEFAULTS[kind]))}
        />
      )}
      {runner?.kind === 'script' && (
        <Field
          label="Script source"
          multiline
          rows={8}
          value={runner.source}
          onCommit={(source) => source.trim() && setRunner({ ...runner, source })}
        />
      )}
      {runner?.kind === 'shell' && (
        <>
          <Field
            label="Command"
            value={runner.command}
            onCommit={(command) => command.trim() && setRunner({ ...runner, command })}
          />
          <Field
            label="Arguments (one per line)"
            multiline
            rows={3}
            value={(runner.args ?? []).join('\n')}
            onCommit={(text) => setRunner({ ...runner, args: text.split('\n').filter(Boolean) })}
          />
        </>
      )}
      {runner?.kind === 'claude' && (
        <>
          <Field
            label="Model"
            value={runner.model}
            onCommit={(model) => model.trim() && setRunner({ ...runner, model })}
          />
          <Field
            label="System prompt"
            multiline
            rows={4}
            value={runner.system ?? ''}
            onCommit={(system) => setRunner({ ...runner, system: system || undefined })}
          />
        </>
      )}
      {runner?.kind === 'claude-code' && (
        <ClaudeCodeProperties runner={runner} onChange={setRunner} />
      )}
      {runner?.kind === 'manual' && (
        <p className="hint">A person answers this session&apos;s messages from the inspector.</p>
      )}
      {runner?.kind === 'fan-out' && (
        <p className="hint">
          Sends the run input to every connected department and completes when all report.
        </p>
      )}
      <Field
        label="Workspace"
        value={session.workspace ?? ''}
        placeholder="/path/to/working/directory"
        onCommit={(w) => patch({ workspace: w.trim() || undefined })}
      />
      <div className="row">
        <Field
          label="Timeout (ms)"
          type="number"
          value={String(session.limits?.timeoutMs ?? '')}
          placeholder="300000"
          onCommit={(v) =>
            patch({ limits: { ...session.limits, timeoutMs: intOrUndefined(v) || undefined } })
          }
        />
        <Field
          label="Max retries"
          type="number"
          value={String(session.limits?.maxRetries ?? '')}
          placeholder="3"
          onCommit={(v) => patch({ limits: { ...session.limits, maxRetries: intOrUndefined(v) } })}
        />
      </div>
    </section>
  );
}
