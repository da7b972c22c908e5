/**
 * Every contract method, round-tripped through a transport against a real engine. Shared by the
 * in-memory and WebSocket suites; the last test fails if a contract method has no test here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METHOD_NAMES,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from '../../src-shared/contract';
import { isOrchestrationError, type ErrorCode } from '../../src-shared/errors';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import type { Client } from '../../src-renderer/src/rpc';
import { makeRepo, write as writeFixture } from '../git/repo-fixture';
import { createRig, type Rig, type TransportKind } from './harness';

export const sampleDefinition = (name = 'Sample'): WorkflowDefinition => ({
  name,
  sessions: [
    {
      id: 'director',
      type: 'director',
      name: `${name} director`,
      runner: { kind: 'fan-out' },
      position: { x: 0, y: 0 },
    },
    {
      id: 'dept',
      type: 'department',
      name: `${name} dept`,
      runner: { kind: 'script', source: 'async function handle(message) { return { ok: true }; }' },
      position: { x: 200, y: 0 },
    },
  ],
  edges: [{ id: 'e1', from: 'director', to: 'dept' }],
});

export async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isOrchestrationError(error)) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

export function describeContract(kind: TransportKind): void {
  describe(`contract over ${kind}`, () => {
    let rig: Rig;
    let client: Client;
    const covered = new Set<MethodName>();
    const call = <M extends MethodName>(method: M, params?: ParamsOf<M>): Promise<ResultOf<M>> => {
      covered.add(method);
      return (client.call as (m: M, p?: ParamsOf<M>) => Promise<ResultOf<M>>)(method, params);
    };

    beforeAll(async () => {
      rig = await createRig(kind);
      client = rig.client;
    });
    afterAll(() => rig?.cleanup());

    it('engine.info reports version, database, role and what start-up recovered', async () => {
      const info = await call('engine.info');
      expect(info.apiVersion).toBe('1.0.0');
      expect(info.role).toBe('admin');
      expect(info.databasePath).toBe(rig.temp.databasePath);
      expect(info.recovery).toEqual({ deadProcesses: 0, releasedLeases: 0, interruptedRuns: 0 });
    });

    it('sessions: create, get, list, update, history, terminate', async () => {
      const director = await call('sessions.create', { type: 'director', name: 'main-director' });
      expect(director.status).toBe('initializing');
      expect((await call('sessions.get', { id: director.id }))?.name).toBe('main-director');
      expect((await call('sessions.get', { id: 'main-director' }))?.id).toBe(director.id);
      expect(await call('sessions.get', { id: 'nobody' })).toBeNull();
      const list = await call('sessions.list', { type: 'director' });
      expect(list.map((s) => s.id)).toContain(director.id);
      const active = await call('sessions.update', {
        id: director.id,
        changes: { status: 'active' },
      });
      expect(active.status).toBe('active');
      const history = await call('sessions.history', { id: director.id });
      expect(history.map((h) => h.kind)).toEqual(['created', 'status']);
      const beat = await call('sessions.heartbeat', { id: director.id });
      expect(beat.lastHeartbeatAt).toBeGreaterThanOrEqual(active.lastHeartbeatAt ?? 0);
      expect(await codeOf(call('sessions.heartbeat', { id: 'nobody' }))).toBe('INVALID_INPUT');
      const done = await call('sessions.terminate', { id: director.id, reason: 'test over' });
      expect(done.status).toBe('terminated');
    });

    it('audit.list pages the audit log, newest first, with filters', async () => {
      await call('sessions.create', { type: 'department', name: 'audited-1' });
      await call('sessions.create', { type: 'department', name: 'audited-2' });
      const page = await call('audit.list', { method: 'sessions.create', limit: 1 });
      expect(page).toHaveLength(1);
      expect(page[0]).toMatchObject({ method: 'sessions.create', outcome: 'ok', role: 'admin' });
      const next = await call('audit.list', {
        method: 'sessions.create',
        beforeSeq: page[0]!.seq,
        limit: 1,
      });
      expect(next[0]!.seq).toBeLessThan(page[0]!.seq);
      expect(await call('audit.list', { outcome: 'NO_SUCH_OUTCOME', limit: 10 })).toEqual([]);
      expect(await codeOf(call('audit.list', { limit: 0 }))).toBe('INVALID_INPUT');
    });

    it('the namespaced form is the same call', async () => {
      const s = await client.sessions.create({ type: 'department', name: 'ns-dept' });
      expect((await client.sessions.get({ id: s.id }))?.id).toBe(s.id);
    });

    it('validation errors come back as codes', async () => {
      expect(await codeOf(call('sessions.create', { type: 'boss', name: 'x' } as never))).toBe(
        'INVALID_INPUT',
      );
      expect(await codeOf(call('sessions.create', { type: 'director' } as never))).toBe(
        'MISSING_FIELD',
      );
      expect(
        await codeOf(call('sessions.create', { type: 'director', name: 'x', extra: 1 } as never)),
      ).toBe('INVALID_INPUT');
      expect(await codeOf(call('sessions.get', undefined as never))).toBe('MISSING_FIELD');
      // The bus's own code for a bad message type, as in embedded mode.
      expect(await codeOf(call('bus.publish', { type: 'NOPE', sender: 'x' } as never))).toBe(
        'INVALID_MESSAGE',
      );
      expect(
        await codeOf(
          call('sessions.update', { id: 'main-director', changes: { status: 'active' } }),
        ),
      ).toBe(
        'INVALID_INPUT', // terminated is final: an illegal move, refused by the engine
      );
    });

    it('unknown methods are INVALID_INPUT', async () => {
      expect(await codeOf((client.call as (m: string) => Promise<unknown>)('nope.nothing'))).toBe(
        'INVALID_INPUT',
      );
      expect(await codeOf((client.call as (m: string) => Promise<unknown>)('__proto__'))).toBe(
        'INVALID_INPUT',
      );
    });

    it('bus: publish, get, list, mailbox, stats, health', async () => {
      const d = await call('sessions.create', { type: 'director', name: 'bus-director' });
      await call('sessions.create', { type: 'department', name: 'bus-dept' });
      const m = await call('bus.publish', {
        type: 'COMMAND',
        sender: d.id,
        receiver: 'bus-dept',
        priority: 'HIGH',
        content: { action: 'process_data', data: {} },
      });
      expect(m.priority).toBe(3);
      expect((await call('bus.get', { id: m.id }))?.content).toEqual({
        action: 'process_data',
        data: {},
      });
      expect(await call('bus.get', { id: 'missing' })).toBeNull();
      expect((await call('bus.list', { sender: d.id })).map((x) => x.id)).toContain(m.id);
      expect((await call('bus.mailbox', { receiver: 'bus-dept' })).map((x) => x.id)).toContain(
        m.id,
      );
      const batch = await call('bus.publishBatch', {
        messages: [
          { type: 'DIRECTION', sender: d.id, receiver: 'bus-dept' },
          { type: 'HEARTBEAT', sender: d.id, receiver: 'bus-dept' },
        ],
      });
      expect(batch).toHaveLength(2);
      const stats = await call('bus.stats');
      expect(stats.published).toBeGreaterThanOrEqual(3);
      expect((await call('bus.health')).status).toBe('healthy');
    });

    it('bus: reject, deadLetters, requeue, acknowledge', async () => {
      const m = await call('bus.publish', {
        type: 'COMMAND',
        sender: 'bus-director',
        receiver: 'bus-dept',
      });
      expect(await call('bus.reject', { id: m.id, reason: 'not today' })).toBeNull();
      expect((await call('bus.deadLetters', { limit: 50 })).map((x) => x.id)).toContain(m.id);
      expect(await codeOf(call('bus.acknowledge', { id: m.id }))).toBe('INVALID_INPUT');
      expect(await call('bus.requeue', { id: m.id })).toBeNull();
      expect((await call('bus.get', { id: m.id }))?.state).toBe('pending');
      const acked = await call('bus.acknowledge', { id: m.id });
      expect(typeof acked.acknowledged).toBe('boolean');
      expect(await codeOf(call('bus.reject', { id: 'missing', reason: 'x' }))).toBe(
        'INVALID_INPUT',
      );
    });

    it('workflows: create, get, list, update, delete', async () => {
      const wf = await call('workflows.create', { definition: sampleDefinition('WF one') });
      expect(wf.definition.name).toBe('WF one');
      expect((await call('workflows.get', { id: wf.id }))?.revision).toBe(wf.revision);
      expect((await call('workflows.list', { limit: 10 })).map((w) => w.id)).toContain(wf.id);
      const changed = { ...wf.definition, name: 'WF renamed' };
      const updated = await call('workflows.update', {
        id: wf.id,
        definition: changed,
        expectedRevision: wf.revision,
      });
      expect(updated.revision).toBeGreaterThan(wf.revision);
      expect(
        await codeOf(
          call('workflows.update', {
            id: wf.id,
            definition: changed,
            expectedRevision: wf.revision,
          }),
        ),
      ).toBe('INVALID_INPUT');
      expect(await codeOf(call('workflows.create', { definition: { name: '' } as never }))).toMatch(
        /INVALID_INPUT|MISSING_FIELD/,
      );
      expect(await call('workflows.delete', { id: wf.id })).toEqual({ deleted: true });
      expect(await call('workflows.get', { id: wf.id })).toBeNull();
    });

    it('runs: start, get, list, wait, cancel', async () => {
      const wf = await call('workflows.create', { definition: sampleDefinition('Run WF') });
      const run = await call('runs.start', { workflowId: wf.id, input: { hello: 'world' } });
      expect(run.workflowId).toBe(wf.id);
      expect((await call('runs.get', { id: run.id }))?.id).toBe(run.id);
      expect((await call('runs.list', { workflowId: wf.id })).map((r) => r.id)).toContain(run.id);
      expect(await call('runs.get', { id: 'missing-run' })).toBeNull();
      const ended = await call('runs.wait', { id: run.id, timeoutMs: 20_000 });
      expect(ended.status).toBe('completed');
      const again = await call('runs.start', { workflowId: wf.id });
      const cancelled = await call('runs.cancel', { id: again.id, reason: 'test' });
      expect(['cancelled', 'completed']).toContain(cancelled.status);
      expect(await codeOf(call('runs.start', { workflowId: 'missing-wf' }))).toBe('INVALID_INPUT');
    });

    it('runs: a manual step waits and is answered', async () => {
      const definition = sampleDefinition('Manual WF');
      definition.sessions[1]!.runner = { kind: 'manual' };
      const wf = await call('workflows.create', { definition });
      const run = await call('runs.start', { workflowId: wf.id, input: { question: 'ok?' } });
      let waiting: Awaited<ReturnType<typeof client.runs.waiting>> = [];
      for (let i = 0; i < 200 && waiting.length === 0; i++) {
        waiting = await call('runs.waiting', { runId: run.id });
        if (waiting.length === 0) await new Promise((r) => setTimeout(r, 10));
      }
      expect(waiting).toHaveLength(1);
      expect(
        await call('runs.answer', { messageId: waiting[0]!.messageId, content: { yes: true } }),
      ).toBeNull();
      expect((await call('runs.wait', { id: run.id, timeoutMs: 20_000 })).status).toBe('completed');
      expect(
        await codeOf(call('runs.answer', { messageId: 'missing-message', content: {} })),
      ).not.toBe('INTERNAL_ERROR');
    });

    it('runs.resume: a run a checkpoint restore caught running carries on', async () => {
      const definition = sampleDefinition('Resume WF');
      definition.sessions[1]!.runner = { kind: 'manual' };
      const wf = await call('workflows.create', { definition });
      const run = await call('runs.start', { workflowId: wf.id, input: { question: 'go on?' } });
      const waitingFor = async () => {
        let waiting: Awaited<ReturnType<typeof client.runs.waiting>> = [];
        for (let i = 0; i < 500 && waiting.length === 0; i++) {
          waiting = await call('runs.waiting', { runId: run.id });
          if (waiting.length === 0) await new Promise((r) => setTimeout(r, 10));
        }
        return waiting;
      };
      expect(await waitingFor()).toHaveLength(1);
      expect(await codeOf(call('runs.resume', { id: run.id }))).toBe('INVALID_INPUT'); // running
      const cp = await call('checkpoints.create', { name: 'manual step waiting' });
      await call('runs.cancel', { id: run.id });
      await call('checkpoints.restore', { id: cp.id, preserveCurrentState: false });
      expect((await call('runs.get', { id: run.id }))?.status).toBe('interrupted');
      expect((await call('runs.resume', { id: run.id })).status).toBe('running');
      const waiting = await waitingFor();
      expect(waiting).toHaveLength(1);
      await call('runs.answer', { messageId: waiting[0]!.messageId, content: { yes: true } });
      const done = await call('runs.wait', { id: run.id, timeoutMs: 20_000 });
      expect(done.status).toBe('completed');
      expect(await codeOf(call('runs.resume', { id: 'missing-run' }))).toBe('INVALID_INPUT');
    });

    it('runs.delete: a finished run goes, a live one is refused', async () => {
      const definition = sampleDefinition('Delete WF');
      definition.sessions[1]!.runner = { kind: 'manual' };
      const wf = await call('workflows.create', { definition });
      const run = await call('runs.start', { workflowId: wf.id, input: { question: 'keep?' } });
      expect(await codeOf(call('runs.delete', { id: run.id }))).toBe('INVALID_INPUT'); // running
      await call('runs.cancel', { id: run.id });
      expect(await call('runs.delete', { id: run.id })).toEqual({ deleted: true });
      expect(await call('runs.get', { id: run.id })).toBeNull();
      expect(await call('runs.delete', { id: run.id })).toEqual({ deleted: false });
      expect(await codeOf(call('runs.delete', { id: '' }))).toBe('INVALID_INPUT');
    });

    it('events.since pages the stream', async () => {
      const page = await call('events.since', { seq: 0, limit: 5 });
      expect(page.events).toHaveLength(5);
      expect(page.lastSeq).toBeGreaterThanOrEqual(page.events.at(-1)!.seq);
      const next = await call('events.since', { seq: page.events.at(-1)!.seq, limit: 5 });
      expect(next.events[0]!.seq).toBe(page.events.at(-1)!.seq + 1);
      expect(await codeOf(call('events.since', { seq: -1 }))).toBe('INVALID_INPUT');
    });

    it('workflow files: exportFile, validateFile, importFile (clash, rename), trust', async () => {
      const wf = await call('workflows.create', { definition: sampleDefinition('File WF') });
      const exported = await call('workflows.exportFile', { id: wf.id });
      expect(exported.fileName).toBe('file-wf.orchestration.json');
      expect(exported.removed).toEqual([]);
      const check = await call('workflows.validateFile', { text: exported.text });
      expect(check.ok).toBe(true);
      if (check.ok) {
        expect(check.name).toBe('File WF');
        expect(check.whatItRuns.map((w) => w.kind)).toEqual(['fan-out', 'script']);
      }
      const broken = JSON.parse(exported.text) as { edges: { to: string }[] };
      broken.edges[0]!.to = 'nobody';
      const bad = await call('workflows.validateFile', { text: JSON.stringify(broken) });
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.problems.some((p) => p.path.startsWith('/edges/0') && p.edgeId === 'e1')).toBe(
          true,
        );
      }
      expect((await call('workflows.validateFile', { text: '{' })).ok).toBe(false);

      // A name clash: refused with a suggested name, then imported under it.
      let suggested = '';
      try {
        await call('workflows.importFile', { text: exported.text });
        throw new Error('expected DUPLICATE_ENTRY');
      } catch (error) {
        expect(isOrchestrationError(error) && error.code).toBe('DUPLICATE_ENTRY');
        if (isOrchestrationError(error)) suggested = String(error.details.suggestedName);
      }
      expect(suggested).toBe('File WF (copy)');
      const imported = await call('workflows.importFile', {
        text: exported.text,
        onNameClash: 'rename',
      });
      expect(imported.workflow.definition.name).toBe(suggested);
      expect(imported.trusted).toBe(false);
      expect(imported.whatItRuns).toHaveLength(2);
      expect(
        await codeOf(call('workflows.importFile', { text: JSON.stringify(broken), name: 'x' })),
      ).toMatch(/INVALID_INPUT|INVALID_FORMAT/);

      // Not trusted: a run is refused until the person trusts this exact content.
      expect(await codeOf(call('runs.start', { workflowId: imported.workflow.id }))).toBe(
        'FORBIDDEN',
      );
      expect(
        await codeOf(
          call('workflows.trust', { id: imported.workflow.id, contentHash: 'a'.repeat(64) }),
        ),
      ).toBe('INVALID_INPUT');
      // Moving a node (the app saves the viewport on open, too) does not change what runs.
      const moved = structuredClone(imported.workflow.definition);
      moved.sessions[0]!.position = { x: 123, y: 456 };
      moved.viewport = { x: 1, y: 2, zoom: 0.5 };
      await call('workflows.update', { id: imported.workflow.id, definition: moved });
      const trusted = await call('workflows.trust', {
        id: imported.workflow.id,
        contentHash: imported.contentHash,
      });
      expect(trusted.contentHash).toBe(imported.contentHash);
      const run = await call('runs.start', { workflowId: imported.workflow.id });
      expect((await call('runs.wait', { id: run.id, timeoutMs: 20_000 })).status).toBe('completed');

      // Replace keeps the id.
      const replaced = await call('workflows.importFile', {
        text: exported.text,
        name: suggested,
        onNameClash: 'replace',
      });
      expect(replaced.replaced).toBe(imported.workflow.id);
    });

    it('checkpoints: create, list, get, preview, compare, restore (and undo), fork, delete', async () => {
      const before = await call('checkpoints.create', { name: 'before', tags: ['test'] });
      expect(before.name).toBe('before');
      expect(before.sizeBytes).toBeGreaterThan(0);
      const s = await call('sessions.create', { type: 'department', name: 'cp-dept' });
      const after = await call('checkpoints.create', { name: 'after' });
      expect((await call('checkpoints.list', { limit: 10 })).map((c) => c.id)).toEqual(
        expect.arrayContaining([before.id, after.id]),
      );
      expect((await call('checkpoints.get', { id: before.id }))?.id).toBe(before.id);
      expect(await call('checkpoints.get', { id: 'missing' })).toBeNull();

      const diff = await call('checkpoints.compare', { from: before.id, to: after.id });
      expect(diff.sessions.added.map((x) => x.name)).toEqual(['cp-dept']);

      const preview = await call('checkpoints.preview', { id: before.id });
      expect(preview.sessions.removed.map((x) => x.name)).toEqual(['cp-dept']);
      expect(preview.lines.join('\n')).toContain('cp-dept');

      const restored = await call('checkpoints.restore', { id: before.id });
      expect(restored.success).toBe(true);
      expect(restored.preRestoreCheckpointId).toBeTruthy();
      expect(await call('sessions.get', { id: s.id })).toBeNull();
      const undo = await call('checkpoints.restore', { id: restored.preRestoreCheckpointId! });
      expect(undo.success).toBe(true);
      expect((await call('sessions.get', { id: s.id }))?.name).toBe('cp-dept');

      const fork = await call('checkpoints.fork', { id: after.id });
      expect(fork.fromCheckpoint).toBe(after.id);
      expect(fork.databasePath).toMatch(/forks[\\/]fork-/);

      expect(await call('checkpoints.delete', { id: after.id })).toEqual({ deleted: true });
      expect(await codeOf(call('checkpoints.restore', { id: after.id }))).toBe('INVALID_INPUT');

      const observer = await rig.connect({ role: 'observer' });
      expect((await observer.checkpoints.list()).length).toBeGreaterThan(0);
      expect(await codeOf(observer.checkpoints.restore({ id: before.id }))).toBe('FORBIDDEN');
      expect(await codeOf(observer.workflows.importFile({ text: '{}' }))).toBe('FORBIDDEN');
    });

    it('workspaces: diff, merge (a conflict is reported), discard, commands', async () => {
      const fx = makeRepo();
      try {
        const { workspaces } = rig.temp.engine;
        const runId = `ws-run-${kind}`;
        const departments = ['one', 'two', 'three'].map((id) => ({ id, name: id }));
        const repo = { path: fx.repo, worktreeRoot: fx.worktreeRoot };
        const map = await workspaces.prepare(runId, repo, departments);
        writeFixture(map.get('one')!.path, 'app.txt', 'line 1\nfrom one\nline 3\n');
        writeFixture(map.get('two')!.path, 'app.txt', 'line 1\nfrom two\nline 3\n');
        await workspaces.commitAll(runId, 'one', 'one');
        const diff = await call('workspaces.diff', { runId, sessionId: 'one' });
        expect(diff).toEqual([
          {
            path: 'app.txt',
            status: 'modified',
            added: 1,
            removed: 1,
            hunks: [
              {
                header: '@@ -1,3 +1,3 @@',
                lines: [' line 1', '-line 2', '+from one', ' line 3'],
              },
            ],
          },
        ]);
        const merged = await call('workspaces.merge', { runId, sessionId: 'one' });
        expect(merged).toMatchObject({ merged: true, fastForward: true, into: 'main' });
        expect(await call('workspaces.merge', { runId, sessionId: 'two' })).toEqual({
          merged: false,
          conflicts: ['app.txt'],
          into: 'main',
        });
        expect(await call('workspaces.discard', { runId, sessionId: 'three' })).toBeNull();
        const commands = await call('workspaces.commands', { runId });
        expect(commands.some((c) => c.args[0] === 'merge-tree' && c.exitCode === 1)).toBe(true);
        const three = await call('workspaces.commands', { runId, sessionId: 'three' });
        expect(three.length).toBeGreaterThan(0);
        expect(three.every((c) => c.sessionId === 'three')).toBe(true);
        expect(await codeOf(call('workspaces.diff', { runId, sessionId: 'three' }))).toBe(
          'INVALID_INPUT',
        );
        expect(await codeOf(call('workspaces.merge', { runId: 'missing', sessionId: 'x' }))).toBe(
          'INVALID_INPUT',
        );
        await workspaces.remove(runId);
      } finally {
        fx.cleanup();
      }
    });

    it('permissions: nothing waits until an agent asks; a missing request is INVALID_INPUT', async () => {
      // The full ask/answer flow runs the real Claude Code binary (test/claude-code/permissions).
      expect(await call('permissions.list', {})).toEqual([]);
      expect(await call('permissions.list', { runId: 'no-such-run' })).toEqual([]);
      expect(
        await codeOf(call('permissions.answer', { requestId: 'missing', decision: 'allow' })),
      ).toBe('INVALID_INPUT');
      expect(
        await codeOf(
          call('permissions.answer', {
            requestId: 'missing',
            decision: 'maybe' as 'allow',
          }),
        ),
      ).toBe('INVALID_INPUT');
      const observer = await rig.connect({ role: 'observer' });
      const asObserver = observer.call as (m: MethodName, p: unknown) => Promise<unknown>;
      expect(await asObserver('permissions.list', {})).toEqual([]);
      expect(
        await codeOf(asObserver('permissions.answer', { requestId: 'x', decision: 'deny' })),
      ).toBe('FORBIDDEN');
    });

    it('observers may read but not write (FORBIDDEN)', async () => {
      const observer = await rig.connect({ role: 'observer' });
      expect((await observer.engine.info()).role).toBe('observer');
      expect(Array.isArray(await observer.sessions.list())).toBe(true);
      expect(await codeOf(observer.sessions.create({ type: 'director', name: 'nope' }))).toBe(
        'FORBIDDEN',
      );
      expect(await codeOf(observer.bus.publish({ type: 'HEARTBEAT', sender: 'x' }))).toBe(
        'FORBIDDEN',
      );
    });

    it('every contract method is covered by this suite', () => {
      expect(METHOD_NAMES.filter((m) => !covered.has(m))).toEqual([]);
    });
  });
}
