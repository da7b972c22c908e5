/**
 * The runners a run uses, one instance of each kind per engine (they keep no per-run state):
 * the script runner shares the engine's worker pool and persists ctx.state in session.state.
 */
import type { RunnerKind } from '../../../src-shared/workflow';
import type { WorkerPool } from '../pool';
import { createClaudeRunner } from '../runners/claude';
import { createScriptRunner, type ScriptSendRequest } from '../runners/script';
import { createShellRunner } from '../runners/shell';
import type { Runner } from '../runners/types';
import type { SessionRegistry } from '../sessions';
import { ManualDesk } from './manual';

export interface RunnerSetOptions {
  pool: () => WorkerPool;
  sessions: SessionRegistry;
  /** Routes a script's ctx.send to the run that owns the sending session. */
  send: (request: ScriptSendRequest) => Promise<void>;
  now: () => number;
}

export class RunnerSet {
  readonly manual: ManualDesk;
  private script: Runner | undefined;
  private readonly shell = createShellRunner();
  private readonly claude = createClaudeRunner();

  constructor(private readonly options: RunnerSetOptions) {
    this.manual = new ManualDesk(options.now);
  }

  /** The runner for a department kind (directors use strategies, see directors.ts). */
  get(kind: Exclude<RunnerKind, 'fan-out'>): Runner {
    switch (kind) {
      case 'script':
        return this.scriptRunner();
      case 'shell':
        return this.shell;
      case 'claude':
        return this.claude;
      case 'manual':
        return this.manual.runner;
    }
  }

  /** Created on first use so an engine that never runs a script starts no worker threads. */
  scriptRunner(): Runner {
    const { sessions } = this.options;
    // The state as last loaded, per session: an unchanged state is not written back.
    const loaded = new Map<string, string>();
    this.script ??= createScriptRunner({
      pool: this.options.pool(),
      send: this.options.send,
      loadState: async (id) => {
        const state = (await sessions.get(id))?.state;
        loaded.set(id, JSON.stringify(state ?? {}));
        return state;
      },
      saveState: async (id, state) => {
        const text = JSON.stringify(state);
        if (loaded.get(id) === text) return;
        loaded.delete(id);
        await sessions.update(id, { state });
      },
    });
    return this.script;
  }

  async dispose(): Promise<void> {
    await this.shell.dispose?.();
  }
}
