/**
 * Seeded fuzzing, bounded in count and time: 2,000 hostile frames at the WebSocket endpoint
 * (garbage, truncated and mutated JSON, deep nesting, prototype keys, unknown methods, wrong
 * types, random params for real methods) and 2,000 mutated files at the workflow importer.
 * No crash, no unhandled rejection, every request with a readable id answered with a code or a
 * result, no stack trace ever sent, and the server still answers a normal call afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../src-shared/contract';
import { isOrchestrationError } from '../../src-shared/errors';
import { exportWorkflow, parseWorkflowFile } from '../../src-main/engine/workflows/file';
import { sampleDefinition } from '../rpc/contract-suite';
import { frameClient, securityRig, type SecurityRig } from './helpers';

/** mulberry32: a small seeded PRNG, so a failure reproduces from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u001b[2J',
  '../../etc/passwd',
  '💥',
  'a'.repeat(300),
  '__proto__',
  'constructor',
  '{}',
  'null',
];

function randomValue(r: ReturnType<typeof rng>, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53, NaN]);
    case 2:
      return r.pick(WEIRD_STRINGS);
    case 3:
      return r.next() < 0.5;
    case 4:
      return r.pick(['director', 'department', 'COMMAND', 'HIGH', 'active', 'x']);
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        'id',
        'name',
        'type',
        'sender',
        'receiver',
        'content',
        'workspace',
        'limit',
        'changes',
        'definition',
        'messages',
        'seq',
        'reason',
        'text',
        'status',
      ];
      for (let i = r.int(5); i > 0; i--) o[r.pick(keys)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function hostileFrame(r: ReturnType<typeof rng>, i: number): string {
  const kind = r.int(10);
  if (kind === 0)
    return r.pick(['not json', '{', '[]', '"str"', '42', 'null', '{"type":', '\u0000\u0001']);
  if (kind === 1) return `${'['.repeat(100 + r.int(2000))}${']'.repeat(r.int(50))}`;
  if (kind === 2)
    return `{"type":"request","id":${i},"method":"bus.publish","params":{"__proto__":{"x":1}}}`;
  if (kind === 3)
    return JSON.stringify({
      type: 'request',
      id: i,
      method: r.pick(['nope', '__proto__', 'constructor', 'toString', 'engine.rootShell', '']),
      params: {},
    });
  if (kind === 4)
    return JSON.stringify({
      type: r.pick(['request', 'subscribe', 'unsubscribe', 'other', 1]),
      id: randomValue(r),
      method: randomValue(r),
    });
  if (kind === 5) {
    const text = JSON.stringify({
      type: 'request',
      id: i,
      method: r.pick(METHOD_NAMES),
      params: randomValue(r),
    });
    return text.slice(0, r.int(text.length + 1)); // truncated
  }
  // Most frames: a real method with random (mostly wrong) params.
  return JSON.stringify({
    type: 'request',
    id: i,
    method: r.pick(METHOD_NAMES),
    params: randomValue(r),
  });
}

describe('fuzz', () => {
  let rig: SecurityRig;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  const internal: unknown[] = [];

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    rig = await securityRig({ onInternalError: (e) => internal.push(e) });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await rig.cleanup();
  });

  it(`the WebSocket endpoint survives 2,000 seeded hostile frames (seed ${SEED})`, async () => {
    const r = rng(SEED);
    const ws = frameClient(rig.server.port, 'startup-token-123');
    await ws.opened;
    const frames: string[] = [];
    for (let i = 1; i <= 2_000; i++) frames.push(hostileFrame(r, 100_000 + i));
    // Each request frame is answered once (a readable id or not); subscribe frames are not.
    const answers: unknown[] = [];
    ws.ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as { type: string };
      if (f.type === 'response') answers.push(f);
    });
    for (const f of frames) ws.sendRaw(f);
    const sentinel = await ws.call('engine.info');
    expect(sentinel).toMatchObject({ result: { apiVersion: '1.0.0' } });
    await new Promise((res) => setTimeout(res, 200)); // runs.wait with a timeout etc. may linger
    expect(ws.ws.readyState).toBe(ws.ws.OPEN);
    expect(answers.length).toBeGreaterThan(1_500);
    for (const a of answers as { error?: { code: string; message: string } }[]) {
      if (!a.error) continue;
      expect(a.error.message).not.toMatch(/\n\s+at /); // never a stack trace
    }
    // Unexpected failures are reported server-side, as codes only to the client.
    expect(internal).toEqual([]);
    expect(unhandled).toEqual([]);
    // Another client is served normally afterwards.
    const other = frameClient(rig.server.port, rig.tokens.observer.token);
    expect(await other.call('bus.health')).toMatchObject({
      result: { status: expect.any(String) },
    });
    other.close();
    ws.close();
  });

  it(`the workflow importer survives 2,000 seeded mutated files (seed ${SEED})`, () => {
    const r = rng(SEED + 1);
    const valid = exportWorkflow(sampleDefinition('Fuzzed'));
    expect(parseWorkflowFile(valid).workflow.name).toBe('Fuzzed');
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 2_000; i++) {
      let text = valid;
      const mutations = 1 + r.int(4);
      for (let m = 0; m < mutations; m++) {
        const at = r.int(text.length);
        switch (r.int(6)) {
          case 0:
            text = text.slice(0, at) + text.slice(at + 1 + r.int(20));
            break;
          case 1:
            text =
              text.slice(0, at) +
              r.pick([
                '{',
                '}',
                '[',
                ']',
                '"',
                ',',
                ':',
                '\\',
                '\u0000',
                'null',
                '1e999',
                '"__proto__":{}',
              ]) +
              text.slice(at);
            break;
          case 2:
            text = text.slice(0, at);
            break;
          case 3:
            text = text.replace(
              /"(name|type|kind|from|to|version|format)"/,
              `"${r.pick(['__proto__', 'constructor', 'x', ''])}"`,
            );
            break;
          case 4:
            text = text.replace(/"[^"]{1,40}"/, JSON.stringify(String(randomValue(r))));
            break;
          default:
            text = `${'['.repeat(r.int(3000))}${text}`;
        }
      }
      const input = r.next() < 0.1 ? Buffer.from(text, 'latin1') : text;
      try {
        parseWorkflowFile(input);
        accepted++;
      } catch (error) {
        if (!isOrchestrationError(error)) throw error; // anything else is a crash
        expect(['INVALID_FORMAT', 'INVALID_INPUT']).toContain(error.code);
        refused++;
      }
    }
    expect(accepted + refused).toBe(2_000);
    expect(refused).toBeGreaterThan(1_000);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
