/**
 * The audit log viewer (admins): who did what, when, over which transport, and the outcome,
 * newest first, filtered by actor (token id), method and outcome, a page at a time.
 */
import { useEffect, useState } from 'react';
import { METHOD_NAMES, type AuditLogEntry } from '../../../src-shared/contract';
import { ERROR_CODES } from '../../../src-shared/errors';
import { api, errorText } from '../api';
import { dateTime } from '../app/format';
import { Modal } from '../app/Modal';
import { closeAudit } from './store';

const PAGE = 25;

interface Filters {
  tokenId: string;
  method: string;
  outcome: string;
}

type Page =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; entries: AuditLogEntry[]; more: boolean };

export function AuditLog() {
  const [filters, setFilters] = useState<Filters>({ tokenId: '', method: '', outcome: '' });
  // Seqs the shown pages start below (undefined: the newest); the last is the current page.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<Page>({ state: 'loading' });
  const beforeSeq = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    setPage({ state: 'loading' });
    const query = {
      limit: PAGE + 1,
      ...(beforeSeq !== undefined && { beforeSeq }),
      ...(filters.tokenId.trim() && { tokenId: filters.tokenId.trim() }),
      ...(filters.method.trim() && { method: filters.method.trim() }),
      ...(filters.outcome && { outcome: filters.outcome }),
    };
    api()
      .call('audit.list', query)
      .then((rows) => {
        if (live)
          setPage({ state: 'ready', entries: rows.slice(0, PAGE), more: rows.length > PAGE });
      })
      .catch((error: unknown) => live && setPage({ state: 'error', message: errorText(error) }));
    return () => {
      live = false;
    };
  }, [filters, beforeSeq]);

  const filter = (change: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...change }));
    setCursors([undefined]);
  };

  return (
    <Modal title="Audit log" onClose={closeAudit} wide>
      <form className="audit-filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Actor (token id)
          <input
            data-autofocus
            value={filters.tokenId}
            placeholder="any"
            onChange={(e) => filter({ tokenId: e.currentTarget.value })}
          />
        </label>
        <label>
          Method
          <input
            list="audit-methods"
            value={filters.method}
            placeholder="any"
            onChange={(e) => filter({ method: e.currentTarget.value })}
          />
          <datalist id="audit-methods">
            <option value="connect" />
            {METHOD_NAMES.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label>
          Outcome
          <select
            value={filters.outcome}
            onChange={(e) => filter({ outcome: e.currentTarget.value })}
          >
            <option value="">any</option>
            <option value="ok">ok</option>
            {ERROR_CODES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </form>
      {page.state === 'loading' && <p role="status">Loading the audit log…</p>}
      {page.state === 'error' && (
        <p role="alert" className="error">
          Could not read the audit log: {page.message}
        </p>
      )}
      {page.state === 'ready' && page.entries.length === 0 && (
        <p role="status">No audit entries match these filters.</p>
      )}
      {page.state === 'ready' && page.entries.length > 0 && (
        <div className="audit-table-wrap">
          <table className="audit-table" aria-label="Audit log entries">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Role</th>
                <th scope="col">Transport</th>
                <th scope="col">Method</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((e) => (
                <tr key={e.seq} className={e.outcome === 'ok' ? 'ok' : 'refused'}>
                  <td>{dateTime(e.at)}</td>
                  <td>{e.tokenId ?? '—'}</td>
                  <td>{e.role ?? '—'}</td>
                  <td>{e.transport}</td>
                  <td>{e.method}</td>
                  <td>{e.outcome}</td>
                  <td>{[e.detail, e.client].filter(Boolean).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        <button disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <button
          disabled={page.state !== 'ready' || !page.more}
          onClick={() =>
            page.state === 'ready' && setCursors((c) => [...c, page.entries.at(-1)!.seq])
          }
        >
          Older
        </button>
        <button className="primary" onClick={closeAudit}>
          Close
        </button>
      </div>
    </Modal>
  );
}
