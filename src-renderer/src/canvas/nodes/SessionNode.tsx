/** A session on the canvas: type, name, runner, live status by colour and label. Memoised. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { SessionNode as SessionNodeType } from '../../editor/graph';
import { paintText, useLiveEntry, useLivePaint, type NodeLive } from '../../stores/live';
import { usePermissions } from '../../notifications/store';

const statusOf = (n: NodeLive | undefined) => n?.status;
const errorOf = (n: NodeLive | undefined) => n?.error ?? null;

/** Writes a node's sent/received counts (see useLivePaint: they change too often to render). */
function paintCounts(el: HTMLElement | null, n: NodeLive | undefined): void {
  if (el) paintText(el, n ? `↑${n.sent} ↓${n.received}` : '');
}

const ICONS = { director: '◆', department: '▣', observer: '◎' } as const;

function SessionNodeView({ id, data, selected }: NodeProps<SessionNodeType>) {
  const { session } = data;
  const liveStatus = useLiveEntry('nodes', id, statusOf);
  const error = useLiveEntry('nodes', id, errorOf);
  const attach = useLivePaint('nodes', id, paintCounts);
  const needsYou = usePermissions((s) => s.byNode[id] ?? 0);
  const live = liveStatus !== undefined;
  const status = liveStatus ?? 'idle';
  const shown = live ? status : 'ready';
  const failed = status === 'error' || !!error;
  const cls = [
    'session-node',
    `type-${session.type}`,
    live ? `status-${status}` : 'status-none',
    failed ? 'failed' : '',
    selected ? 'selected' : '',
  ].join(' ');
  return (
    <div className={cls} title={error ?? undefined} data-status={live ? status : 'none'}>
      {session.type !== 'director' && <Handle type="target" position={Position.Top} />}
      <div className="session-node-head">
        <span className="session-node-icon" aria-hidden="true">
          {ICONS[session.type]}
        </span>
        <span className="session-node-name">{session.name}</span>
      </div>
      <div className="session-node-meta">
        <span className="session-node-kind">
          {session.type}
          {session.runner ? ` · ${session.runner.kind}` : ''}
        </span>
        <span className="session-node-status" aria-label={`Status: ${shown}`}>
          <span className="dot" aria-hidden="true" />
          {shown}
        </span>
      </div>
      {/* Shown from the first live state on, so a node keeps its size as counts start: a
          resize would make React Flow re-measure it and redraw its edges. */}
      {live && <div className="session-node-counts" ref={attach} />}
      {needsYou > 0 && (
        <div className="session-node-needs" role="status" aria-label={`${session.name} needs you`}>
          needs you{needsYou > 1 ? ` (${needsYou})` : ''}
        </div>
      )}
      {failed && error && <div className="session-node-error">⚠ {error}</div>}
      {session.type !== 'observer' && <Handle type="source" position={Position.Bottom} />}
    </div>
  );
}

export const SessionNodeComponent = memo(SessionNodeView);
