/**
 * One API, two modes: the same scenario through OrchestrationClient embedded ({ databasePath })
 * and remote ({ url, token } to a real server on 127.0.0.1 over a real WebSocket) gives the
 * same results and the same error codes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src-main/server';
import {
  AuthenticationError,
  OrchestrationClient,
  ValidationError,
  type Message,
  type StreamEvent,
  type WorkflowDefinition,
} from '../../sdk/src';
import WebSocket from 'ws';
import { tempDir } from '../helpers/temp-engine';

const examples = join(import.meta.dirname, '../../resources/examples');
const codeReview = JSON.parse(
  readFileSync(join(examples, 'code-review.json'), 'utf8'),
) as WorkflowDefinition;

const dirs: string[] = [];
let server: RunningServer;
let embedded: OrchestrationClient;
let remote: OrchestrationClient;
const TOKEN = 'sdk-remote-token-123';

beforeAll(async () => {
  const a = tempDir();
  const b = tempDir();
  dirs.push(a, b);
  embedded = new OrchestrationClient({ databasePath: join(a, 'orchestration.db') });
  server = await startServer({ port: 0, databasePath: join(b, 'orchestration.db'), token: TOKEN });
  remote = new OrchestrationClient({ url: server.url });
});

afterAll(async () => {
  await embedded?.close();
  await remote?.close();
  await server?.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const both = () =>
  [
    ['embedded', () => embedded],
    ['remote', () => remote],
  ] as const;

/** The code a call fails with (or 'ok'). */
async function codeOf(call: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? `not an OrchestrationError: ${String(error)}`;
  }
}

/** What a scenario produced, without ids and times (which differ between two databases). */
async function scenario(client: OrchestrationClient) {
  const director = await client.sessions.create({
    type: 'director',
    name: 'main-director',
    workspace: '/workspace/main',
  });
  await client.sessions.create({ type: 'department', name: 'department-1' });
  const published = await client.messageBus.publish({
    type: 'COMMAND',
    sender: director.id,
    receiver: 'department-1',
    content: { action: 'process_data', data: {} },
    priority: 'HIGH',
  });
  await client.messageBus.publishBatch([
    { type: 'DIRECTION', sender: 'main-director', receiver: 'department-1', content: { n: 1 } },
    { type: 'DIRECTION', sender: 'main-director', receiver: 'department-1', content: { n: 2 } },
  ]);
  const sessions = (await client.sessions.list())
    .map((s) => ({ name: s.name, type: s.type, status: s.status, workspace: s.workspace }))
    .sort((x, y) => x.name.localeCompare(y.name));
  const mailbox = (await client.messageBus.mailbox('department-1')).map((m) => ({
    type: m.type,
    priority: m.priority,
    content: m.content,
    state: m.state,
    sender: m.sender === director.id ? 'director-id' : m.sender,
  }));
  const got = await client.messageBus.get(published.id);
  await client.sessions.update('department-1', { status: 'active' });
  const history = (await client.sessions.history('department-1')).map((h) => [h.from, h.to]);

  const statuses: string[] = [];
  const off = await client.on('run.status', (e) => statuses.push(e.status));
  const workflow = await client.workflows.create(codeReview);
  const run = await client.runs.start(workflow.id, codeReview.settings?.exampleInput);
  const done = await client.runs.wait(run.id, 20_000);
  const listed = await client.runs.list({ workflowId: workflow.id });
  await waitUntil(() => statuses.includes('completed'));
  off();
  const stats = await client.messageBus.stats();

  return {
    sessions,
    mailbox,
    got: { type: got?.type, content: got?.content, receiver: got?.receiver },
    history,
    workflow: { name: workflow.definition.name, revision: workflow.revision },
    workflows: (await client.workflows.list()).map((w) => w.definition.name),
    run: { status: done.status, error: done.error, result: done.result },
    runs: listed.map((r) => r.status),
    statuses: [...new Set(statuses)],
    missing: {
      session: await client.sessions.get('nobody'),
      message: await client.messageBus.get('no-such-message'),
      workflow: await client.workflows.get('no-such-workflow'),
      run: await client.runs.get('no-such-run'),
    },
    stats: { published: stats.published >= 3, pending: stats.pending >= 3 },
  };
}

async function waitUntil(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('OrchestrationClient, embedded and remote', () => {
  it('knows its mode and reports the same engine', async () => {
    expect(embedded.mode).toBe('embedded');
    expect(remote.mode).toBe('remote');
    expect(await remote.apiVersion()).toBe(await embedded.apiVersion());
    expect((await remote.info()).role).toBe('admin');
    expect((await embedded.info()).features).toEqual((await remote.info()).features);
    expect((await embedded.info()).recovery).toEqual((await remote.info()).recovery);
  });

  it('runs the same scenario to the same results', async () => {
    const [e, r] = await Promise.all([scenario(embedded), scenario(remote)]);
    expect(e.run.status).toBe('completed');
    expect(e.run.result).toMatchObject({ Lint: expect.anything(), Test: { passed: 3 } });
    expect(e.sessions.map((s) => s.name)).toContain('main-director');
    expect(e.mailbox).toHaveLength(3);
    expect(e.missing).toEqual({
      session: undefined,
      message: undefined,
      workflow: undefined,
      run: undefined,
    });
    expect(e.statuses).toContain('completed');
    expect(r).toEqual(e);
  }, 60_000);

  it.each(both())('%s: validation errors carry the same codes', async (_mode, get) => {
    const client = get();
    const codes = {
      badType: await codeOf(() => client.sessions.create({ type: 'bogus' as never, name: 'x' })),
      noName: await codeOf(() => client.sessions.create({ type: 'director' } as never)),
      unknownField: await codeOf(() =>
        client.sessions.create({ type: 'director', name: 'y', colour: 'red' } as never),
      ),
      emptyId: await codeOf(() => client.sessions.get('')),
      noSession: await codeOf(() => client.sessions.update('nobody', { status: 'active' })),
      badMessageType: await codeOf(() =>
        client.messageBus.publish({ type: 'NOPE' as never, sender: 'main-director' }),
      ),
      noSender: await codeOf(() => client.messageBus.publish({ type: 'COMMAND' } as never)),
      unknownSender: await codeOf(() =>
        client.messageBus.publish({ type: 'COMMAND', sender: 'nobody' }),
      ),
      emptyBatch: await codeOf(() => client.messageBus.publishBatch([])),
      // The same bad message gets the bus's code in both modes (remote: checked by the server).
      badTypeInBatch: await codeOf(() =>
        client.messageBus.publishBatch([
          { type: 'COMMAND', sender: 'main-director', receiver: 'department-1' },
          { type: 'NOPE' as never, sender: 'main-director' },
        ]),
      ),
      noSenderInBatch: await codeOf(() =>
        client.messageBus.publishBatch([{ type: 'COMMAND' } as never]),
      ),
      badPriority: await codeOf(() =>
        client.messageBus.publish({
          type: 'COMMAND',
          sender: 'main-director',
          priority: 9 as never,
        }),
      ),
      unknownMessageField: await codeOf(() =>
        client.messageBus.publish({ type: 'COMMAND', sender: 'main-director', colour: 1 } as never),
      ),
      hugeContent: await codeOf(() =>
        client.messageBus.publish({
          type: 'COMMAND',
          sender: 'main-director',
          content: 'x'.repeat(1024 * 1024 + 1),
        }),
      ),
      wrongDirection: await codeOf(() =>
        client.messageBus.publish({ type: 'STATUS_UPDATE', sender: 'main-director' }),
      ),
      heartbeatNobody: await codeOf(() => client.sessions.heartbeat('nobody')),
      badFilter: await codeOf(() =>
        client.messageBus.subscribe({ types: ['NOPE' as never] }, () => undefined)(),
      ),
      rejectNoReason: await codeOf(() => client.messageBus.reject('x', '')),
      badWorkflow: await codeOf(() =>
        client.workflows.create({
          ...codeReview,
          sessions: [],
          edges: [{ id: 'e', from: 'a', to: 'b' }],
        }),
      ),
      noWorkflow: await codeOf(() => client.runs.start('no-such-workflow')),
      noRun: await codeOf(() => client.runs.wait('no-such-run', 100)),
      badQuery: await codeOf(() => client.messageBus.list({ state: 'lost' as never })),
      noPermissionRequest: await codeOf(() =>
        client.permissions.answer('no-such-request', { decision: 'allow' }),
      ),
      badDecision: await codeOf(() =>
        client.permissions.answer('r', { decision: 'maybe' as never }),
      ),
    };
    expect(codes).toEqual({
      badType: 'INVALID_INPUT',
      noName: 'MISSING_FIELD',
      unknownField: 'INVALID_INPUT',
      emptyId: 'MISSING_FIELD',
      noSession: 'INVALID_INPUT',
      badMessageType: 'INVALID_MESSAGE',
      noSender: 'MISSING_FIELD',
      unknownSender: 'INVALID_INPUT',
      emptyBatch: 'INVALID_INPUT',
      badTypeInBatch: 'INVALID_MESSAGE',
      noSenderInBatch: 'MISSING_FIELD',
      badPriority: 'INVALID_INPUT',
      unknownMessageField: 'INVALID_INPUT',
      hugeContent: 'INVALID_MESSAGE',
      wrongDirection: 'INVALID_MESSAGE',
      heartbeatNobody: 'INVALID_INPUT',
      noPermissionRequest: 'INVALID_INPUT',
      badDecision: 'INVALID_INPUT',
      badFilter: 'INVALID_INPUT',
      rejectNoReason: 'MISSING_FIELD',
      badWorkflow: 'INVALID_INPUT',
      noWorkflow: 'INVALID_INPUT',
      noRun: 'INVALID_INPUT',
      badQuery: 'INVALID_INPUT',
    });
    const error = await client.sessions.create({ type: 'director' } as never).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details.field).toBe('name');
  });

  it.each(both())('%s: request and respond', async (_mode, get) => {
    const client = get();
    const asker = await client.sessions.create({ type: 'director', name: `asker-${_mode}` });
    const answerer = await client.sessions.create({
      type: 'department',
      name: `answerer-${_mode}`,
    });
    const off = client.messageBus.subscribe({ receivers: [answerer.name] }, async (m) => {
      if (m.requiresResponse) {
        await client.messageBus.respond(m, {
          type: 'ACKNOWLEDGMENT',
          sender: answerer.id,
          content: { pong: (m.content as { ping: number }).ping },
        });
      }
    });
    const answer = await client.messageBus.request(
      { type: 'COMMAND', sender: asker.id, receiver: answerer.name, content: { ping: 7 } },
      10_000,
    );
    off();
    expect(answer.content).toEqual({ pong: 7 });
    expect(answer.metadata.correlationId).toBeTruthy();
    expect(
      await codeOf(() =>
        client.messageBus.request(
          { type: 'COMMAND', sender: asker.id, receiver: 'nobody-listens' },
          200,
        ),
      ),
    ).toBe('MESSAGE_TIMEOUT');
  });

  it.each(both())('%s: events resume from a sequence number', async (_mode, get) => {
    const client = get();
    const { lastSeq } = await client.events.since(0, 1);
    const s = await client.sessions.create({ type: 'observer', name: `watcher-${_mode}` });
    const seen: StreamEvent[] = [];
    const off = await client.events.subscribe((events) => seen.push(...events), {
      sinceSeq: lastSeq,
    });
    await waitUntil(() => seen.some((e) => e.kind === 'session.created' && e.sessionId === s.id));
    off();
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    expect(seqs[0]).toBeGreaterThan(lastSeq);
  });

  it.each(both())('%s: checkpoints create, list, compare, restore, delete', async (_mode, get) => {
    const client = get();
    const a = await client.checkpoints.create({ name: `before-${_mode}` });
    await client.sessions.create({ type: 'observer', name: `after-cp-${_mode}` });
    const b = await client.checkpoints.create({ name: `after-${_mode}`, tags: ['t'] });
    expect((await client.checkpoints.get(a.id))?.name).toBe(`before-${_mode}`);
    expect((await client.checkpoints.list({ tag: 't' })).map((c) => c.id)).toContain(b.id);
    const diff = await client.checkpoints.compare(a.id, b.id);
    expect(diff.sessions.added.map((s) => s.name)).toEqual([`after-cp-${_mode}`]);
    const restored = await client.checkpoints.restore(a.id);
    expect(restored.success).toBe(true);
    expect(await client.sessions.get(`after-cp-${_mode}`)).toBeUndefined();
    expect(await client.checkpoints.delete(b.id)).toBe(true);
    expect(await client.checkpoints.get(b.id)).toBeUndefined();
    expect(await codeOf(() => client.checkpoints.create({ name: '' }))).toBe('INVALID_INPUT');
  });

  it.each(both())(
    '%s: workflow files export, import (untrusted), trust, run',
    async (_mode, get) => {
      const client = get();
      const workflow = await client.workflows.create({ ...codeReview, name: `Files ${_mode}` });
      const exported = await client.workflows.exportFile(workflow.id);
      expect(exported.fileName).toBe(`files-${_mode}.orchestration.json`);
      const check = await client.workflows.validateFile(exported.text);
      expect(check.ok).toBe(true);
      const bad = await client.workflows.validateFile('{"format":"orchestration-workflow"}');
      expect(bad.ok).toBe(false);
      expect(await codeOf(() => client.workflows.importFile(exported.text))).toBe(
        'DUPLICATE_ENTRY',
      );
      const imported = await client.workflows.importFile(exported.text, { onNameClash: 'rename' });
      expect(imported.workflow.definition.name).toBe(`Files ${_mode} (copy)`);
      expect(imported.trusted).toBe(false);
      expect(await codeOf(() => client.runs.start(imported.workflow.id))).toBe('FORBIDDEN');
      await client.workflows.trust(imported.workflow.id, imported.contentHash);
      const run = await client.runs.start(imported.workflow.id, codeReview.settings?.exampleInput);
      expect((await client.runs.wait(run.id, 20_000)).status).toBe('completed');
      expect(await client.runs.delete(run.id)).toBe(true);
      expect(await client.runs.get(run.id)).toBeUndefined();
      expect(await client.runs.delete(run.id)).toBe(false);
      const again = await client.workflows.exportFile(imported.workflow.id);
      expect(again.text).toBe(exported.text.replace(`"Files ${_mode}"`, `"Files ${_mode} (copy)"`));
    },
  );
});

describe('remote mode', () => {
  it('observes pending and new messages without consuming them; acknowledge works by id', async () => {
    const director = await remote.sessions.create({ type: 'director', name: 'observer-test' });
    await remote.sessions.create({ type: 'department', name: 'observed' });
    const first = await remote.messageBus.publish({
      type: 'COMMAND',
      sender: director.id,
      receiver: 'observed',
      content: { n: 1 },
    });
    const seen: Message[] = [];
    const off = remote.messageBus.subscribe({ receivers: ['observed'] }, (m) => {
      seen.push(m);
    });
    const second = await remote.messageBus.publish({
      type: 'COMMAND',
      sender: director.id,
      receiver: 'observed',
      content: { n: 2 },
    });
    await waitUntil(() => seen.length === 2);
    off();
    expect(seen.map((m) => m.content)).toEqual([{ n: 1 }, { n: 2 }]);
    // Observed, not consumed: both still wait in the mailbox until acknowledged.
    expect((await remote.messageBus.mailbox('observed')).map((m) => m.id)).toEqual([
      first.id,
      second.id,
    ]);
    expect(await remote.messageBus.acknowledge(first.id)).toBe(true);
    await remote.messageBus.reject(second.id, 'not wanted');
    expect((await remote.messageBus.deadLetters()).map((m) => m.id)).toContain(second.id);
    expect(await remote.messageBus.mailbox('observed')).toEqual([]);
  });

  it('refuses a wrong token with INVALID_TOKEN and a missing one with AUTH_REQUIRED', async () => {
    const wrong = new OrchestrationClient({
      url: `http://127.0.0.1:${server.port}/`,
      token: 'not-the-token',
    });
    const error = await wrong.sessions.list().catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('INVALID_TOKEN');
    // Refused for good: later calls fail the same way at once.
    expect(await codeOf(() => wrong.sessions.list())).toBe('INVALID_TOKEN');
    await wrong.close();

    const none = new OrchestrationClient({ url: `ws://127.0.0.1:${server.port}/ws` });
    expect(await codeOf(() => none.apiVersion())).toBe('AUTH_REQUIRED');
    await none.close();

    const viaOption = new OrchestrationClient({
      url: `http://127.0.0.1:${server.port}`,
      token: TOKEN,
    });
    expect(await viaOption.apiVersion()).toBe('1.0.0');
    await viaOption.close();
  });

  it('fails with SERVICE_UNAVAILABLE when nothing listens, and INVALID_INPUT after close', async () => {
    const nobody = new OrchestrationClient({
      url: 'http://127.0.0.1:9/?token=x',
      connectTimeoutMs: 300,
    });
    expect(await codeOf(() => nobody.sessions.list())).toBe('SERVICE_UNAVAILABLE');
    await nobody.close();
    expect(await codeOf(() => nobody.sessions.list())).toBe('INVALID_INPUT');
  });

  it.each(both())('%s: a heartbeat records that the session is alive', async (_mode, get) => {
    const client = get();
    const before = (await client.sessions.get('main-director'))!;
    await new Promise((r) => setTimeout(r, 5));
    const beat = await client.sessions.heartbeat('main-director');
    expect(beat.id).toBe(before.id);
    expect(beat.lastHeartbeatAt).toBeGreaterThan(before.lastHeartbeatAt ?? 0);
  });

  it('a raw WebSocket client gets the same codes as the SDK for a bad message', async () => {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws').replace(/\/\?.*$/, '/ws'), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let nextId = 0;
    const answer = (params: unknown, method = 'bus.publish') =>
      new Promise<{ error?: { code: string; message: string } }>((resolve) => {
        const id = ++nextId;
        ws.on('message', function onMessage(data) {
          const frame = JSON.parse(String(data));
          if (frame.id !== id) return;
          ws.off('message', onMessage);
          resolve(frame);
        });
        ws.send(JSON.stringify({ type: 'request', id, method, params }));
      });
    const bad = await answer({ type: 'NOPE', sender: 'main-director' });
    expect(bad.error).toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(bad.error!.message).toMatch(/^Invalid message \(type\)/);
    const batch = await answer({ messages: [{ type: 'NOPE', sender: 'x' }] }, 'bus.publishBatch');
    expect(batch.error).toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(batch.error!.message).toMatch(/^Invalid message \[0\] \(type\)/);
    ws.close();
  });

  it('reports an unusable url and options that mix the modes', () => {
    expect(() => new OrchestrationClient({ url: 'not a url' })).toThrowError(/not a URL/);
    expect(() => new OrchestrationClient({ url: 'ftp://x/' })).toThrowError(/ws/);
    expect(
      () => new OrchestrationClient({ url: 'ws://x/', databasePath: 'x.db' } as never),
    ).toThrowError(/not both/);
  });
});
