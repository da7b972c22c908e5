/**
 * The worker thread's side of the pool (plain ESM so it loads unchanged from source, under Vitest
 * and tsx, and as the bundled `worker.js`). Protocol: see protocol.ts.
 *
 * A task is `(payload, ctx) => result | Promise<result>` where
 *   ctx.taskId                      the pool's task id
 *   ctx.call(method, ...args)       asks the main thread (RunOptions.onCall) and awaits its answer
 *   ctx.notify(method, ...args)     tells the main thread, without an answer
 * While a task runs, its id sits in the shared `slot`, so the pool can tell `assigned` from `running`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { builtinTasks } from './tasks.mjs';

if (parentPort === null) throw new Error('worker.mjs must be started as a worker thread');
const port = parentPort;
const slot = new Int32Array(workerData.slot);
const moduleTasks = new Map();
const pendingCalls = new Map();
let nextCallId = 1;

port.on('message', (message) => {
  if (message.t === 'run') void runTask(message);
  else if (message.t === 'reply') settleCall(message);
});

async function runTask({ id, task, payload }) {
  Atomics.store(slot, 0, id);
  let reply;
  try {
    const fn = typeof task === 'string' ? builtinTask(task) : await moduleTask(task);
    const value = await fn(payload, new TaskContext(id));
    reply = { t: 'done', id, ok: true, value };
  } catch (error) {
    reply = { t: 'done', id, ok: false, error: toWire(error) };
  }
  Atomics.store(slot, 0, 0);
  try {
    port.postMessage(reply);
  } catch (error) {
    const wire = toWire(error);
    wire.message = `The task's result cannot be sent to the main thread: ${wire.message}`;
    port.postMessage({ t: 'done', id, ok: false, error: wire });
  }
}

function builtinTask(name) {
  const fn = builtinTasks.get(name);
  if (typeof fn !== 'function') throw coded(new Error(`Unknown task "${name}"`), 'INVALID_INPUT');
  return fn;
}

async function moduleTask({ module, name = 'default' }) {
  const key = `${module}#${name}`;
  let fn = moduleTasks.get(key);
  if (fn === undefined) {
    const url = /^(file|data):/.test(module) ? module : pathToFileURL(module).href;
    const namespace = await import(url);
    fn = namespace[name];
    if (typeof fn !== 'function') {
      throw coded(new Error(`${module} has no function export "${name}"`), 'INVALID_INPUT');
    }
    moduleTasks.set(key, fn);
  }
  return fn;
}

class TaskContext {
  constructor(taskId) {
    this.taskId = taskId;
  }

  call(method, ...args) {
    const callId = nextCallId++;
    return new Promise((resolve, reject) => {
      pendingCalls.set(callId, { resolve, reject });
      try {
        port.postMessage({ t: 'call', id: this.taskId, callId, method, args });
      } catch (error) {
        pendingCalls.delete(callId);
        reject(error);
      }
    });
  }

  notify(method, ...args) {
    port.postMessage({ t: 'notify', id: this.taskId, method, args });
  }
}

function settleCall(message) {
  const pending = pendingCalls.get(message.callId);
  if (pending === undefined) return;
  pendingCalls.delete(message.callId);
  if (message.ok) pending.resolve(message.value);
  else pending.reject(fromWire(message.error));
}

function coded(error, code) {
  error.code = code;
  return error;
}

function toWire(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const wire = { name: error.name, message: error.message };
  if (typeof error.code === 'string') wire.code = error.code;
  if (error.details !== null && typeof error.details === 'object') {
    try {
      wire.details = JSON.parse(JSON.stringify(error.details));
    } catch {
      // details that are not JSON are dropped; the message still goes through
    }
  }
  return wire;
}

function fromWire(wire) {
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  if (wire.details !== undefined) error.details = wire.details;
  return error;
}
