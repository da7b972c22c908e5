/** The API sandbox: publish a message by hand from this session (bus.publish). */
import { useId, useState } from 'react';
import { allowedTypes, type MessageType, type SessionType } from '../../../src-shared/domain';
import { api, errorText } from '../api';

export interface Peer {
  engineId: string;
  name: string;
  type: SessionType;
}

export function Compose({
  sender,
  type,
  peers,
}: {
  sender: string;
  type: SessionType;
  peers: Peer[];
}) {
  const [receiver, setReceiver] = useState(peers[0]?.engineId ?? '');
  const peer = peers.find((p) => p.engineId === receiver);
  const types = allowedTypes(type, peer?.type);
  const [msgType, setMsgType] = useState<MessageType>(types[0] ?? 'HEARTBEAT');
  const [content, setContent] = useState('{\n  "action": "ping"\n}');
  const effective = types.includes(msgType) ? msgType : (types[0] ?? msgType);
  const [result, setResult] = useState<string | null>(null);
  const ids = { type: useId(), receiver: useId(), content: useId() };
  const send = async () => {
    let parsed: unknown;
    try {
      parsed = content.trim() ? JSON.parse(content) : null;
    } catch (error) {
      setResult(`Content is not JSON: ${errorText(error)}`);
      return;
    }
    try {
      const m = await api().call('bus.publish', {
        type: effective,
        sender,
        receiver: receiver || null,
        content: parsed,
      });
      setResult(`Sent ${m.type} (${m.id})`);
    } catch (error) {
      setResult(`Refused: ${errorText(error)}`);
    }
  };
  return (
    <form
      className="inspector-block compose"
      aria-label="Send a message"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h3>Send a message (API sandbox)</h3>
      <div className="row">
        <div className="field">
          <label htmlFor={ids.receiver}>Receiver</label>
          <select
            id={ids.receiver}
            value={receiver}
            onChange={(e) => setReceiver(e.currentTarget.value)}
          >
            <option value="">Broadcast</option>
            {peers.map((p) => (
              <option key={p.engineId} value={p.engineId}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Message type</label>
          <select
            id={ids.type}
            value={effective}
            onChange={(e) => setMsgType(e.currentTarget.value as MessageType)}
          >
            {types.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.content}>Content (JSON)</label>
        <textarea
          id={ids.content}
          rows={4}
          value={content}
          spellCheck={false}
          onChange={(e) => setContent(e.currentTarget.value)}
        />
      </div>
      <button type="submit">Send message</button>
      {result && (
        <p className={result.startsWith('Sent') ? 'hint' : 'error-text'} role="status">
          {result}
        </p>
      )}
    </form>
  );
}

/** Answer a manual runner's waiting message (runs.answer). */
export function Answer({ messageId, onDone }: { messageId: string; onDone: () => void }) {
  const [content, setContent] = useState('{\n  "approved": true\n}');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const answer = async () => {
    try {
      await api().call('runs.answer', {
        messageId,
        content: content.trim() ? JSON.parse(content) : null,
      });
      setError(null);
      onDone();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div className="answer">
      <label htmlFor={id}>Answer (JSON)</label>
      <textarea
        id={id}
        rows={3}
        value={content}
        spellCheck={false}
        onChange={(e) => setContent(e.currentTarget.value)}
      />
      <button onClick={() => void answer()}>Answer</button>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
