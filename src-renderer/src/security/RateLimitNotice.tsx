/** Says when the engine refused a call for its rate limit, and counts down to the retry. */
import { useEffect, useState } from 'react';
import { dismissRateLimit, useSecurity } from './store';

export function RateLimitNotice() {
  const hit = useSecurity((s) => s.rateLimit);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!hit) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [hit]);
  if (!hit) return null;
  const left = Math.ceil((hit.retryAt - now) / 1000);
  return (
    <div className="notice rate-limit" role="alert" aria-label="Rate limit reached">
      <span>
        Rate limit reached ({hit.method}): {hit.message}{' '}
        {left > 0 ? `Retry in ${left} s.` : 'You can retry now.'}
      </span>
      <button aria-label="Dismiss rate limit notice" onClick={dismissRateLimit}>
        ×
      </button>
    </div>
  );
}
