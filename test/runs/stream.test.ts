import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src-shared/stream';
import { tempEngine, waitFor, type TempEngine } from '../helpers/temp-engine';
import { scriptDept, star } from './helpers';

let t: TempEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const logs = `async function handle(message, ctx) {
  for (let i = 0; i < 5; i++) ctx.log('step ' + i);
  return message.content;
}`;

function runIdOf(e: StreamEvent): string | null {
  return e.kind === 'message.published' ? e.message.runId : 'runId' in e ? e.runId : null;
}

describe('engine.stream', () => {
  it('resumes from a seq after a reconnect with nothing missed, in order, across a restart', async () => {
    t = await tempEngine();
    const { engine } = t;
    const before = engine.stream.lastSeq();
    const live: StreamEvent[] = [];
    const batches: number[] = [];
    const disconnect = engine.stream.subscribe((batch) => {
      batches.push(batch.length);
      live.push(...batch);
    });
    const workflow = await engine.workflows.create(
      star(
        'stream',
        Array.from({ length: 4 }, (_, i) => scriptDept(`d${i}`, logs)),
      ),
    );
    const run = await engine.runs.start(workflow.id, { n: 1 });
    await waitFor(() => live.some((e) => e.kind === 'message.published'), 'some live traffic');
    disconnect(); // the client goes away mid-run
    const lastSeen = live.at(-1)!.seq;
    const done = await engine.runs.wait(run.id, 20_000);
    expect(done.status).toBe('completed');
    // The last acknowledgement may commit just after the run's end (it rides in the next write).
    await waitFor(
      async () =>
        (await engine.stream.since(before, 10_000)).filter((e) => e.kind === 'message.acknowledged')
          .length === 8,
      'all 8 acknowledgements on the stream',
    );

    const missed = await engine.stream.since(lastSeen, 10_000);
    const resumed = [...live, ...missed];
    const seqs = resumed.map((e) => e.seq);
    expect(seqs[0]).toBe(before + 1);
    seqs.forEach((seq, i) => expect(seq).toBe(before + 1 + i)); // no gap, no duplicate, in order
    expect(await engine.stream.since(before, 10_000)).toEqual(resumed);
    expect(batches.every((n) => n > 0)).toBe(true);

    const kinds = new Set(resumed.map((e) => e.kind));
    for (const kind of [
      'session.created',
      'session.status',
      'message.published',
      'message.delivered',
      'message.acknowledged',
      'run.status',
      'runner.log',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    const runEvents = resumed.filter((e) => e.kind === 'run.status');
    expect(runEvents.map((e) => e.kind === 'run.status' && e.status)).toEqual([
      'pending',
      'running',
      'completed',
    ]);
    const published = resumed.filter((e) => e.kind === 'message.published');
    expect(published).toHaveLength(8); // 4 DIRECTIONs, 4 COMPLETION_NOTIFICATIONs
    expect(published.every((e) => runIdOf(e) === run.id)).toBe(true);
    const logLines = resumed.filter(
      (e) => e.kind === 'runner.log' && e.sessionId !== run.sessions['director'],
    );
    expect(logLines).toHaveLength(20); // 5 ctx.log lines from each of the 4 departments

    const onlyRun = await engine.stream.since(0, 10_000, run.id);
    expect(onlyRun.length).toBeGreaterThan(0);
    expect(onlyRun.every((e) => runIdOf(e) === run.id)).toBe(true);

    // Paging: the same events, a few at a time.
    const paged: StreamEvent[] = [];
    for (let after = before; ;) {
      const page = await engine.stream.since(after, 7);
      if (page.length === 0) break;
      paged.push(...page);
      after = page.at(-1)!.seq;
    }
    expect(paged).toEqual(resumed);

    // A restart keeps the history and continues the numbering.
    await engine.close();
    const again = await t.reopen();
    const history = await again.stream.since(before, 10_000);
    expect(history.slice(0, resumed.length)).toEqual(resumed); // (late acks may follow)
    const last = again.stream.lastSeq();
    expect(last).toBe(history.at(-1)!.seq);
    await again.sessions.create({ type: 'department', name: 'after-restart' });
    const next = await again.stream.since(last);
    expect(next[0]).toMatchObject({
      seq: last + 1,
      kind: 'session.created',
      name: 'after-restart',
    });
  });
});
