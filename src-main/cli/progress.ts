/**
 * The live progress line `orchestration run` shows on a terminal: elapsed time, the run's sessions
 * by status, and the latest log line. Only when stderr is a TTY; redrawn at most 10 times a second.
 */
import type { Engine } from '../engine';

export interface Progress {
  stop(): void;
}

const NONE: Progress = { stop() {} };

export function showProgress(engine: Engine): Progress {
  const out = process.stderr;
  if (!out.isTTY) return NONE;
  const started = Date.now();
  const statuses = new Map<string, string>();
  let last = '';
  const offs = [
    engine.on('session.status', ({ session, to }) => statuses.set(session.id, to)),
    // The CLI process runs one workflow, so every log line is its own.
    engine.on('runner.log', (log) => {
      last = log.text.split('\n')[0] ?? '';
    }),
  ];
  const draw = () => {
    const counts = new Map<string, number>();
    for (const status of statuses.values()) counts.set(status, (counts.get(status) ?? 0) + 1);
    const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'starting';
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const line = `⏵ ${seconds}s · ${summary}${last ? ` · ${last}` : ''}`;
    const width = Math.max(20, (out.columns ?? 80) - 1);
    out.write(`\r\x1b[2K${line.slice(0, width)}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      for (const off of offs) off();
      out.write('\r\x1b[2K');
    },
  };
}
