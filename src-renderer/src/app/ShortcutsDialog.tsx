/** The Keyboard shortcuts dialog (? or the header's ⌨ button): every shortcut, from SHORTCUTS. */
import { setShortcutsOpen, useUi } from '../stores/ui';
import { Modal } from './Modal';
import { SHORTCUTS } from './shortcuts';

const close = () => setShortcutsOpen(false);

export function ShortcutsDialog() {
  const open = useUi((s) => s.shortcutsOpen);
  if (!open) return null;
  return (
    <Modal title="Keyboard shortcuts" onClose={close}>
      <table className="shortcuts" aria-label="Keyboard shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <th scope="row">
                <kbd>{s.keys}</kbd>
              </th>
              <td>{s.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Shortcuts wait while you type in a field.</p>
      <div className="actions">
        <button className="primary" onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}
