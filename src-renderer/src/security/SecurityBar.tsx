/**
 * The header's security corner: the role this connection has, the audit log (admins; greyed
 * out with the reason for others), and the rate-limit notice.
 */
import { useEffect } from 'react';
import './security.css';
import { AuditLog } from './AuditLog';
import { RateLimitNotice } from './RateLimitNotice';
import { loadRole, openAudit, useDenied, useSecurity, watchRateLimits } from './store';

export function SecurityBar() {
  const role = useSecurity((s) => s.role);
  const open = useSecurity((s) => s.auditOpen);
  const deny = useDenied();
  useEffect(() => {
    watchRateLimits();
    void loadRole();
  }, []);
  const refused = deny('audit.list');
  return (
    <div className="group security" role="group" aria-label="Security">
      {role && (
        <span className={`role-badge ${role}`} role="status" aria-label={`Signed in as ${role}`}>
          {role}
        </span>
      )}
      <button
        disabled={!!refused}
        title={refused ?? 'Who did what: every change and every refusal'}
        onClick={openAudit}
      >
        Audit log
      </button>
      {open && <AuditLog />}
      <RateLimitNotice />
    </div>
  );
}
