/**
 * Runs a script session's handler inside a pool worker thread (the `script` built-in task).
 *
 * The source is a function body, not a module: it declares `async function handle(message, ctx)`
 * (or a plain `function handle`), runs in strict mode, and has no `import`/`export` statements
 * (`await import('node:…')` inside handle works). It is evaluated afresh for every message, so
 * nothing leaks between messages or sessions except `ctx.state`.
 *
 * Inside handle:
 *   ctx.send(receiver, type, content)  → Promise, resolved once the main thread has published it
 *   ctx.reply(type, content)           → Promise, to the sender of `message`
 *   ctx.log(text) / ctx.log(level, text)
 *   ctx.state                          the session's JSON object; change it or assign a new one
 *   ctx.session, ctx.config
 * Whatever handle returns (JSON) is the result's content. Not a security sandbox: the worker
 * thread contains crashes and hangs, the script is trusted workflow code.
 */
const COMPILED_LIMIT = 100;
const compiled = new Map();

export async function runScript(payload, task) {
  const { source, message, state, session, config } = payload;
  const handle = loadHandle(source);
  const calls = [];
  const track = (promise) => {
    promise.catch(() => {}); // a call the script does not await must not crash the worker
    calls.push(promise);
    return promise;
  };
  const ctx = {
    session,
    config,
    state: state ?? {},
    send: (receiver, type, content) => track(task.call('send', receiver, type, content ?? null)),
    reply: (type, content) => track(task.call('reply', type, content ?? null)),
    log: (...args) =>
      task.notify('log', ...args.map((arg) => (typeof arg === 'string' ? arg : String(arg)))),
  };
  let result;
  try {
    result = await handle(message, ctx);
  } catch (error) {
    await Promise.allSettled(calls);
    throw scriptError(error);
  }
  await Promise.allSettled(calls);
  if (ctx.state === null || typeof ctx.state !== 'object' || Array.isArray(ctx.state)) {
    throw coded(new Error('ctx.state must be a JSON object'), 'INVALID_INPUT');
  }
  return {
    content: toJson(result, 'The value handle returned'),
    state: toJson(ctx.state, 'ctx.state'),
  };
}

function loadHandle(source) {
  if (typeof source !== 'string' || source.trim() === '') {
    throw coded(new Error('The script source is empty'), 'INVALID_INPUT');
  }
  let factory = compiled.get(source);
  if (factory === undefined) {
    try {
      factory = new Function(
        `"use strict";\n${source}\n;return typeof handle === 'function' ? handle : undefined;`,
      );
    } catch (error) {
      const hint = /^\s*(import|export)\s/m.test(source)
        ? ' (a script is a function body: declare `async function handle(message, ctx)`, without import/export)'
        : '';
      throw coded(new Error(`Script syntax error: ${error.message}${hint}`), 'INVALID_INPUT');
    }
    if (compiled.size >= COMPILED_LIMIT) compiled.delete(compiled.keys().next().value);
    compiled.set(source, factory);
  }
  let handle;
  try {
    handle = factory();
  } catch (error) {
    throw scriptError(error);
  }
  if (typeof handle !== 'function') {
    throw coded(
      new Error('The script must define a function handle(message, ctx)'),
      'INVALID_INPUT',
    );
  }
  return handle;
}

/** Keeps a code the error carries (e.g. FORBIDDEN from a refused ctx.send); the main thread checks it. */
function scriptError(error) {
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(`Script error: ${message}`);
  wrapped.name = 'ScriptError';
  wrapped.code =
    error instanceof Error && typeof error.code === 'string' ? error.code : 'INTERNAL_ERROR';
  wrapped.details = { scriptErrorName: error instanceof Error ? error.name : typeof error };
  return wrapped;
}

function toJson(value, what) {
  if (value === undefined) return null;
  let text;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw coded(new Error(`${what} is not JSON: ${error.message}`), 'INVALID_INPUT');
  }
  return text === undefined ? null : JSON.parse(text);
}

function coded(error, code) {
  error.code = code;
  return error;
}
