/** A list of messages with their content (expand to read). */
import type { Message } from '../../../src-shared/types';
import { priorityName } from '../../../src-shared/domain';
import { clockTime } from '../app/format';

export function MessageList({
  title,
  messages,
  empty,
}: {
  title: string;
  messages: Message[];
  empty: string;
}) {
  return (
    <section className="inspector-block" aria-label={title}>
      <h3>
        {title} <span className="count">{messages.length}</span>
      </h3>
      {messages.length === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        <ul className="messages">
          {messages.map((m) => (
            <li key={m.id} className={`message state-${m.state}${m.failed ? ' failed' : ''}`}>
              <details>
                <summary>
                  <span className="msg-type">{m.type}</span>
                  <span className="msg-state">{m.state}</span>
                  <time>{clockTime(m.timestamp)}</time>
                </summary>
                <dl>
                  <dt>From</dt>
                  <dd>{m.sender}</dd>
                  <dt>To</dt>
                  <dd>{m.receiver ?? 'broadcast'}</dd>
                  <dt>Priority</dt>
                  <dd>{priorityName(m.priority)}</dd>
                  <dt>Attempts</dt>
                  <dd>{m.attempts}</dd>
                  {m.failureReason && (
                    <>
                      <dt>Failure</dt>
                      <dd className="error-text">{m.failureReason}</dd>
                    </>
                  )}
                </dl>
                <pre className="content">{JSON.stringify(m.content, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
