import { describe, expect, it } from 'vitest';
import {
  exportWorkflow,
  exportWorkflowReport,
  parseWorkflowFile,
} from '../../src-main/engine/workflows/file';
import { isSecretName } from '../../src-main/engine/workflows/file/secrets';
import type { WorkflowDefinition } from '../../src-shared/workflow';
import { sampleDefinition } from './samples';
import { problemsOf, refusal } from './helpers';

function withSecrets(): WorkflowDefinition {
  const def = sampleDefinition();
  const build = def.sessions[2]!;
  if (build.runner?.kind !== 'shell') throw new Error('sample changed');
  build.runner.env = {
    NODE_ENV: 'production',
    OPENAI_API_KEY: 'abc',
    GITHUB_TOKEN: 'def',
    AWS_SECRET_ACCESS_KEY: 'ghi',
    EMPTY_TOKEN: '',
  };
  def.settings = {
    ...def.settings,
    service: { apiKey: 'k', password: 'p', maxTokens: 5, region: 'eu' },
  };
  return def;
}

describe('secrets never travel in a file', () => {
  it('export drops values under secret names and lists where they were', () => {
    const report = exportWorkflowReport(withSecrets());
    expect(report.removed.sort()).toEqual([
      '/sessions/2/runner/env/AWS_SECRET_ACCESS_KEY',
      '/sessions/2/runner/env/GITHUB_TOKEN',
      '/sessions/2/runner/env/OPENAI_API_KEY',
      '/settings/service/apiKey',
      '/settings/service/password',
    ]);
    for (const secret of ['abc', 'def', 'ghi', '"k"', '"p"'])
      expect(report.text).not.toContain(secret);
    const file = JSON.parse(report.text);
    expect(file.sessions[2].runner.env).toEqual({ NODE_ENV: 'production', EMPTY_TOKEN: '' });
    expect(file.settings.service).toEqual({ maxTokens: 5, region: 'eu' });
    // What was exported imports again and exports to the same bytes.
    expect(exportWorkflow(parseWorkflowFile(report.text).workflow)).toBe(report.text);
  });

  it('export refuses key-like values it cannot drop without changing what runs', () => {
    const def = sampleDefinition();
    const build = def.sessions[2]!;
    if (build.runner?.kind !== 'shell') throw new Error('sample changed');
    build.runner.args = ['--token', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz'];
    const error = refusal(() => exportWorkflow(def));
    expect(error.code).toBe('INVALID_INPUT');
    expect(problemsOf(error)).toEqual([
      expect.objectContaining({ path: '/sessions/2/runner/args/1', rule: 'secret' }),
    ]);
  });

  it('import refuses a hand-written file that carries secrets, naming each', () => {
    const file = JSON.parse(exportWorkflow(sampleDefinition()));
    file.sessions[2].runner.env.STRIPE_SECRET = 'x';
    file.settings.auth = { token: 't' };
    const problems = problemsOf(refusal(() => parseWorkflowFile(JSON.stringify(file))));
    expect(problems.map((p) => [p.path, p.rule])).toEqual([
      ['/sessions/2/runner/env/STRIPE_SECRET', 'secret'],
      ['/settings/auth/token', 'secret'],
    ]);
  });

  it('knows secret names from ordinary ones', () => {
    for (const name of [
      'apiKey',
      'api_key',
      'OPENAI_API_KEY',
      'GITHUB_TOKEN',
      'authToken',
      'clientSecret',
      'DB_PASSWORD',
      'KEY',
      'credentials',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of [
      'maxTokens',
      'sortKey',
      'sort_key',
      'MONKEY',
      'keyboard',
      'tokens',
      'NODE_ENV',
      'model',
    ]) {
      expect(isSecretName(name), name).toBe(false);
    }
  });
});
