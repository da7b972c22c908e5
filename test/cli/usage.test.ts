import { describe, expect, it } from 'vitest';
import { API_VERSION } from '../../src-shared/domain';
import { cli, inProcess } from './helpers';

const COMMANDS = ['validate', 'run', 'import', 'export', 'checkpoint', 'token', 'serve'];

describe('bin/orchestration.mjs (child process): --version, bad usage', () => {
  it.concurrent('--version prints the engine apiVersion', async () => {
    const r = await cli(['--version'], { via: 'bin' });
    expect(r).toMatchObject({ code: 0, stdout: `${API_VERSION}\n`, stderr: '' });
  });

  it.concurrent(
    'an unknown option is bad usage: exit 2, the message and help on stderr',
    async () => {
      const r = await cli(['run', 'flow.orchestration.json', '--bogus'], { via: 'bin' });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^USAGE: .*--bogus/);
      expect(r.stderr).toContain('Usage: orchestration run');
    },
  );
});

describe('orchestration main(): usage table', () => {
  it('--help lists every command; no command at all is bad usage (2)', async () => {
    const help = await inProcess(['--help']);
    expect(help.code).toBe(0);
    for (const name of COMMANDS) expect(help.stdout).toContain(`  ${name}`);
    const none = await inProcess([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: orchestration <command>');
  });

  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const r = await inProcess([name, flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: orchestration ${name}`);
      expect(r.stderr).toBe('');
    }
  });

  it.each([
    [['frobnicate']],
    [['run']],
    [['run', 'a.json', 'b.json']],
    [['run', 'a.json', '--timeout', 'soon']],
    [['run', 'a.json', '--input', '{not json']],
    [['validate']],
    [['import']],
    [['import', 'a.json', '--rename', '--replace']],
    [['export', 'name']],
    [['export', 'name', '-o', '-', '--json']],
    [['checkpoint']],
    [['checkpoint', 'frob']],
    [['checkpoint', 'restore']],
    [['checkpoint', 'create']],
    [['checkpoint', 'list', '--limit', '0']],
    [['token']],
    [['token', 'create']],
    [['token', 'create', '--role', 'admin', '--expires', 'tomorrow']],
    [['token', 'revoke']],
    [['serve', '--port', '99999']],
    [['serve', 'extra']],
  ])('bad usage %j exits 2 with a message on stderr and nothing on stdout', async (args) => {
    const r = await inProcess(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.length).toBeGreaterThan(0);
  });
});
