/** Form fields that commit on blur/Enter (one undo step per edit, not per keystroke). */
import { useId } from 'react';

interface FieldProps {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  multiline?: boolean;
  placeholder?: string;
  type?: 'text' | 'number';
  rows?: number;
}

export function Field({ label, value, onCommit, multiline, placeholder, type, rows }: FieldProps) {
  const id = useId();
  const commit = (next: string) => {
    if (next !== value) onCommit(next);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          id={id}
          key={value}
          defaultValue={value}
          rows={rows ?? 6}
          spellCheck={false}
          placeholder={placeholder}
          onBlur={(e) => commit(e.currentTarget.value)}
        />
      ) : (
        <input
          id={id}
          key={value}
          type={type ?? 'text'}
          defaultValue={value}
          placeholder={placeholder}
          onBlur={(e) => commit(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && commit(e.currentTarget.value)}
        />
      )}
    </div>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.currentTarget.value as T)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A positive integer or undefined (empty / invalid). */
export function intOrUndefined(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() && Number.isInteger(n) && n >= 0 ? n : undefined;
}
