/** Time formatting with shared Intl formatters (toLocale*String builds one per call: slow in lists). */
const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const clockTime = (t: number | null | undefined): string => (t ? clock.format(t) : '—');
export const dateTime = (t: number | null | undefined): string => (t ? stamp.format(t) : '—');
