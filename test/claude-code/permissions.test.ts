import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src-main/rpc/handlers';
import type { AnthropicLoopback } from '../helpers/anthropic-loopback';
import { script } from '../helpers/anthropic-loopback';
import { waitFor, type TempEngine } from '../helpers/temp-engine';
import {
  closeTestbed,
  department,
  makeRepo,
  marker,
  openTestbed,
  workflow,
  writeFile,
} from './harness';

const ctx = { role: 'developer' as const, databasePath: '' };

describe('claude-code permission requests wait for a person', () => {
  let t: TempEngine;
  let lb: AnthropicLoopback;
  beforeEach(async () => ({ t, lb } = await openTestbed()));
  afterEach(() => closeTestbed(t, lb));

  async function untilAsked(runId: string) {
    const handlers = createHandlers(t.engine);
    let list: Awaited<ReturnType<(typeof handlers)['permissions.list']>> = [];
    await waitFor(
      async () => (list = await handlers['permissions.list']({ runId }, ctx)).length > 0,
      'a permission request',
      30_000,
    );
    return { handlers, request: list[0]! };
  }

  for (const decision of ['allow', 'deny'] as const) {
    it(`${decision}: the Write tool ${decision === 'allow' ? 'runs' : 'does not run'}`, async () => {
      const repo = makeRepo();
      const events: string[] = [];
      t.engine.on('permission.requested', (r) => events.push(`requested ${r.toolName}`));
      t.engine.on('permission.resolved', (r) => events.push(`resolved ${r.outcome}`));
      lb.enqueueFor(marker('alpha'), writeFile('asked.txt', 'x\n'), script.text(['finished']));
      const wf = await t.engine.workflows.create(
        workflow([department('alpha', { baseURL: lb.url, allowedTools: [] })], {
          repository: repo,
        }),
      );
      const run = await t.engine.runs.start(wf.id, 'Write asked.txt');
      const { handlers, request } = await untilAsked(run.id);
      const sid = run.sessions.alpha!;
      expect(request).toMatchObject({
        kind: 'tool',
        toolName: 'Write',
        sessionId: sid,
        runId: run.id,
      });
      // Waiting shows: the session is idle and the director got a BLOCKED_NOTIFICATION.
      expect((await t.engine.sessions.get(sid))!.status).toBe('idle');
      const blocked = (await t.engine.bus.list({ type: 'BLOCKED_NOTIFICATION' })).filter(
        (m) => m.metadata.runId === run.id,
      );
      expect(blocked[0]?.content).toMatchObject({
        reason: 'permission',
        requestId: request.requestId,
      });
      expect(existsSync(join(t.engine.workspaces.get(run.id, sid)!.path, 'asked.txt'))).toBe(false);

      await handlers['permissions.answer'](
        {
          requestId: request.requestId,
          decision,
          ...(decision === 'deny' ? { message: 'not now' } : {}),
        },
        ctx,
      );
      const done = await t.engine.runs.wait(run.id, 60_000);
      expect(done.status).toBe('completed');
      const written = existsSync(join(t.engine.workspaces.get(run.id, sid)!.path, 'asked.txt'));
      expect(written).toBe(decision === 'allow');
      expect(events).toEqual([
        'requested Write',
        `resolved ${decision === 'allow' ? 'allowed' : 'denied'}`,
      ]);
      // Clients see it live on the event stream.
      await waitFor(
        async () =>
          (await t.engine.stream.since(0, 5_000)).some(
            (e) => e.kind === 'permission.resolved' && e.requestId === request.requestId,
          ),
        'the stream events',
      );
      const streamed = (await t.engine.stream.since(0, 5_000)).filter(
        (e) => e.kind === 'permission.requested' || e.kind === 'permission.resolved',
      );
      expect(streamed.map((e) => e.kind)).toEqual(['permission.requested', 'permission.resolved']);
      expect(streamed[0]).toMatchObject({ requestId: request.requestId, toolName: 'Write' });
      if (decision === 'deny') {
        const last = lb.requests.at(-1)!.body as { messages: Array<{ content: unknown }> };
        expect(JSON.stringify(last.messages.at(-1))).toContain('not now');
      }
      // Answering twice is an error a person can act on.
      await expect(
        handlers['permissions.answer']({ requestId: request.requestId, decision: 'allow' }, ctx),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }, 90_000);
  }

  it('cancelling the run withdraws the pending request', async () => {
    lb.enqueueFor(marker('alpha'), writeFile('asked.txt', 'x\n'));
    const wf = await t.engine.workflows.create(
      workflow([department('alpha', { baseURL: lb.url, allowedTools: [] })], {
        repository: makeRepo(),
      }),
    );
    const outcomes: string[] = [];
    t.engine.on('permission.resolved', (r) => outcomes.push(r.outcome));
    const run = await t.engine.runs.start(wf.id, 'Write asked.txt');
    await untilAsked(run.id);
    await t.engine.runs.cancel(run.id);
    expect(t.engine.permissions.list(run.id)).toEqual([]);
    expect(outcomes).toEqual(['withdrawn']);
  }, 90_000);
});
