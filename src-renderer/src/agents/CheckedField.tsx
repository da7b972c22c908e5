/**
 * A field that commits on blur/Enter like app/fields.tsx, but checks first: a problem is shown
 * at the field (aria-invalid, described by the message) and nothing is saved until it is fixed.
 */
import { useId, useState } from 'react';
import './agents.css';
import type { Check } from './validate';

interface CheckedFieldProps {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  check?: Check;
  multiline?: boolean;
  rows?: number;
  placeholder?: string;
  hint?: string;
  inputMode?: 'decimal' | 'numeric' | 'text' | 'url';
}

export function CheckedField(props: CheckedFieldProps) {
  const { label, value, onCommit, check, multiline, rows, placeholder, hint, inputMode } = props;
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const attempt = (next: string) => {
    const found = check?.(next) ?? null;
    setProblem(found);
    if (!found && next !== value) onCommit(next);
  };
  const described = [problem ? `${id}-problem` : '', hint ? `${id}-hint` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    defaultValue: value,
    placeholder,
    spellCheck: false,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': described || undefined,
    onBlur: (e: { currentTarget: { value: string } }) => attempt(e.currentTarget.value),
  };
  return (
    <div className={`field${problem ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea key={value} rows={rows ?? 3} {...common} />
      ) : (
        <input
          key={value}
          type="text"
          inputMode={inputMode}
          {...common}
          onKeyDown={(e) => e.key === 'Enter' && attempt(e.currentTarget.value)}
        />
      )}
      {problem && (
        <p id={`${id}-problem`} className="field-problem" role="alert">
          {problem}
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
