/**
 * Hostile and malformed frames over the in-memory transport: each is answered with a code, and
 * the connection keeps serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryPair, serve } from '../../src-main/rpc';
import { MAX_FRAME_BYTES, type ServerFrame } from '../../src-shared/protocol';
import { tempEngine, type TempEngine } from '../helpers/temp-engine';

describe('frame validation', () => {
  let temp: TempEngine;
  let sendRaw: (raw: unknown) => void;
  const replies: ServerFrame[] = [];

  const next = async (): Promise<ServerFrame> => {
    for (let i = 0; i < 500 && replies.length === 0; i++)
      await new Promise((r) => setTimeout(r, 2));
    const frame = replies.shift();
    if (!frame) throw new Error('no reply');
    return frame;
  };
  const codeOf = (frame: ServerFrame) => ('error' in frame ? frame.error.code : undefined);

  beforeAll(async () => {
    temp = await tempEngine();
    const pair = createMemoryPair();
    serve(temp.engine, pair.server, { role: 'admin', onInternalError: () => {} });
    pair.client.onFrame((raw) => replies.push(JSON.parse(raw as string) as ServerFrame));
    sendRaw = pair.sendRaw;
  });
  afterAll(() => temp.cleanup());

  it.each([
    ['not JSON', '{"type":'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"hello"'],
    ['binary', new Uint8Array([1, 2, 3])],
    ['no type', '{"id":1}'],
    ['an unknown frame type', '{"type":"shout","id":1}'],
    ['a request without method', '{"type":"request","id":1}'],
  ])('%s → INVALID_FORMAT', async (_name, raw) => {
    sendRaw(raw);
    expect(codeOf(await next())).toBe('INVALID_FORMAT');
  });

  it('an oversized frame → INVALID_FORMAT', async () => {
    sendRaw(
      `{"type":"request","id":1,"method":"bus.stats","params":"${'x'.repeat(MAX_FRAME_BYTES)}"}`,
    );
    expect(codeOf(await next())).toBe('INVALID_FORMAT');
  });

  it('a deeply nested frame → INVALID_FORMAT, keeping the request id', async () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    sendRaw(`{"type":"request","id":7,"method":"bus.stats","params":${deep}}`);
    const reply = await next();
    expect(codeOf(reply)).toBe('INVALID_FORMAT');
    expect(reply.type === 'response' && reply.id).toBe(7);
  });

  it('__proto__ and constructor keys → INVALID_INPUT, nothing stored', async () => {
    for (const key of ['__proto__', 'constructor']) {
      sendRaw(
        `{"type":"request","id":8,"method":"sessions.create","params":{"type":"director","name":"p-${key}","metadata":{"${key}":{"admin":true}}}}`,
      );
      expect(codeOf(await next())).toBe('INVALID_INPUT');
    }
    expect(await temp.engine.sessions.list()).toHaveLength(0);
  });

  it('unknown method → INVALID_INPUT with the id', async () => {
    sendRaw('{"type":"request","id":"abc","method":"engine.selfDestruct"}');
    const reply = await next();
    expect(codeOf(reply)).toBe('INVALID_INPUT');
    expect(reply.type === 'response' && reply.id).toBe('abc');
  });

  it('wrong param types → INVALID_INPUT naming the field', async () => {
    sendRaw('{"type":"request","id":9,"method":"bus.mailbox","params":{"receiver":42}}');
    const reply = await next();
    expect(codeOf(reply)).toBe('INVALID_INPUT');
    expect('error' in reply && reply.error.details.field).toBe('receiver');
  });

  it('errors carry no stack traces', async () => {
    sendRaw(
      '{"type":"request","id":10,"method":"sessions.update","params":{"id":"nobody","changes":{}}}',
    );
    const reply = await next();
    expect(JSON.stringify(reply)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('still serves after all of that', async () => {
    sendRaw('{"type":"request","id":11,"method":"bus.health"}');
    const reply = await next();
    expect(
      reply.type === 'response' && 'result' in reply && (reply.result as { status: string }).status,
    ).toBe('healthy');
  });
});

describe('unexpected failures', () => {
  it('reach the client as INTERNAL_ERROR without the original message', async () => {
    const temp = await tempEngine();
    try {
      const broken = Object.create(temp.engine) as typeof temp.engine;
      Object.defineProperty(broken, 'sessions', {
        value: {
          list: () => Promise.reject(new Error('SQLITE_CORRUPT at /home/alice/secret.db')),
        },
      });
      const reported: unknown[] = [];
      const pair = createMemoryPair();
      serve(broken, pair.server, { role: 'admin', onInternalError: (e) => reported.push(e) });
      const reply = new Promise<string>((resolve) =>
        pair.client.onFrame((raw) => resolve(raw as string)),
      );
      pair.sendRaw('{"type":"request","id":1,"method":"sessions.list"}');
      const text = await reply;
      expect(JSON.parse(text).error.code).toBe('INTERNAL_ERROR');
      expect(text).not.toContain('secret');
      expect(reported).toHaveLength(1);
    } finally {
      await temp.cleanup();
    }
  });
});
