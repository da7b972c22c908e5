/**
 * Tokens and cost: a department's own; for the director, every department's and the run's
 * total (its own agent included).
 */
import type { Run, WorkflowSession } from '../../../src-shared/workflow';
import { formatTokens, formatUsd, totalTokens, type SessionUsageRow, type Usage } from './usage';
import { useRunUsage } from './useRunUsage';

export function UsagePanel({
  run,
  sessions,
  sessionId,
}: {
  run: Run | undefined;
  sessions: readonly WorkflowSession[];
  /** The workflow session the inspector shows. */
  sessionId: string;
}) {
  const { usage, error } = useRunUsage(run, sessions);
  const me = sessions.find((s) => s.id === sessionId);
  if (!run || !me) return null;
  const title = me.type === 'director' ? 'Cost and tokens (run)' : 'Cost and tokens';
  return (
    <section className="inspector-block usage" aria-label={title}>
      <h3>{title}</h3>
      {error && <p className="error-text">{error}</p>}
      {!usage ? (
        <p className="hint">Loading…</p>
      ) : me.type === 'director' ? (
        <table className="usage-table">
          <thead>
            <tr>
              <th scope="col">Session</th>
              <th scope="col">Input</th>
              <th scope="col">Output</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {usage.director && (
              <Row row={{ ...usage.director, name: `${usage.director.name} (own)` }} />
            )}
            {usage.departments.map((r) => (
              <Row key={r.id} row={r} />
            ))}
          </tbody>
          <tfoot>
            <Row row={{ id: 'total', name: 'Run total', type: 'director', usage: usage.total }} />
          </tfoot>
        </table>
      ) : (
        <OwnUsage usage={usage.departments.find((r) => r.id === sessionId)?.usage} />
      )}
    </section>
  );
}

function Row({ row }: { row: SessionUsageRow }) {
  const u = row.usage;
  return (
    <tr aria-label={`${row.name}: ${formatTokens(totalTokens(u))} tokens, ${formatUsd(u.costUsd)}`}>
      <th scope="row">{row.name}</th>
      <td>{formatTokens(u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens)}</td>
      <td>{formatTokens(u.outputTokens)}</td>
      <td>{formatUsd(u.costUsd)}</td>
    </tr>
  );
}

function OwnUsage({ usage }: { usage: Usage | undefined }) {
  if (!usage || (totalTokens(usage) === 0 && usage.costUsd === 0)) {
    return <p className="hint">No tokens reported yet.</p>;
  }
  return (
    <dl className="facts" aria-label="Usage">
      <dt>Input tokens</dt>
      <dd>{formatTokens(usage.inputTokens)}</dd>
      <dt>Output tokens</dt>
      <dd>{formatTokens(usage.outputTokens)}</dd>
      <dt>Cache read / write</dt>
      <dd>
        {formatTokens(usage.cacheReadTokens)} / {formatTokens(usage.cacheWriteTokens)}
      </dd>
      <dt>Cost</dt>
      <dd>{formatUsd(usage.costUsd)}</dd>
    </dl>
  );
}
