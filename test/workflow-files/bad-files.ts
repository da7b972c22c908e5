/**
 * Bad workflow files, one per kind of mistake, each with the error code and the JSON Pointer of
 * the problem it must be refused with. Shared with the CLI tests (`orchestration validate`):
 * write `build()` to a file and expect exit code 1 with `path` in the output.
 */
import type { ErrorCode } from '../../src-shared/errors';
import { exportWorkflow } from '../../src-main/engine/workflows/file';
import type { ProblemRule } from '../../src-main/engine/workflows/file';
import { MAX_WORKFLOW_SESSIONS } from '../../src-shared/workflow';
import { sampleDefinition } from './samples';

export interface BadFile {
  name: string;
  build: () => string | Uint8Array;
  code: Extract<ErrorCode, 'INVALID_FORMAT' | 'INVALID_INPUT'>;
  /** A problem with this path (and rule) must be listed in error.details.problems. */
  path: string;
  rule: ProblemRule;
}

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The sample as a parsed, valid version-2 file. */
export const validText = () => exportWorkflow(sampleDefinition());
const doc = (): Doc => JSON.parse(validText()) as Doc;
const edit = (change: (d: Doc) => void) => () => {
  const d = doc();
  change(d);
  return JSON.stringify(d, null, 2);
};
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const v1 =
  (change: (d: Doc) => void = () => {}) =>
  () => {
    const d: Doc = {
      format: 'orchestration-workflow',
      version: 1,
      name: 'old',
      nodes: [
        { id: 'boss', kind: 'director', label: 'Boss', runnerType: 'fan-out', x: 0, y: 0 },
        { id: 'job', kind: 'department', label: 'Job', runnerType: 'manual', x: 300, y: 0 },
      ],
      links: [{ id: 'l1', source: 'boss', target: 'job' }],
    };
    change(d);
    return JSON.stringify(d);
  };

const F = 'INVALID_FORMAT' as const;
const I = 'INVALID_INPUT' as const;

export const BAD_FILES: BadFile[] = [
  // Refused before or while reading: INVALID_FORMAT.
  { name: 'empty file', build: () => '', code: F, path: '', rule: 'not-json' },
  { name: 'not JSON at all', build: () => 'name: my flow\n', code: F, path: '', rule: 'not-json' },
  {
    name: 'truncated JSON',
    build: () => validText().slice(0, 200),
    code: F,
    path: '',
    rule: 'not-json',
  },
  {
    name: 'bytes that are not UTF-8',
    build: () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    code: F,
    path: '',
    rule: 'not-utf8',
  },
  { name: 'a JSON array', build: () => '[]', code: F, path: '', rule: 'not-object' },
  { name: 'a JSON string', build: () => '"workflow"', code: F, path: '', rule: 'not-object' },
  {
    name: 'another tool’s format',
    build: edit((d) => (d.format = 'n8n-workflow')),
    code: F,
    path: '/format',
    rule: 'format',
  },
  {
    name: 'a bare definition without format',
    build: edit((d) => delete d.format),
    code: F,
    path: '/format',
    rule: 'format',
  },
  {
    name: 'version as a string',
    build: edit((d) => (d.version = '2')),
    code: F,
    path: '/version',
    rule: 'version',
  },
  {
    name: 'version 0',
    build: edit((d) => (d.version = 0)),
    code: F,
    path: '/version',
    rule: 'version',
  },
  {
    name: 'a newer version than this app reads',
    build: edit((d) => (d.version = 3)),
    code: F,
    path: '/version',
    rule: 'newer-version',
  },
  {
    name: 'over 10 MB',
    build: () =>
      validText().replace(
        '"settings": {',
        `"settings": {"pad": "${'x'.repeat(10 * 1024 * 1024)}",`,
      ),
    code: F,
    path: '',
    rule: 'too-large',
  },
  {
    name: 'nested more than 64 levels',
    build: () => validText().replace('"settings": {', `"settings": {"deep": ${nested(70)},`),
    code: F,
    path: '',
    rule: 'too-deep',
  },
  // Read, but wrong: INVALID_INPUT, every problem at once.
  {
    name: 'unknown top-level field',
    build: edit((d) => (d.author = 'me')),
    code: I,
    path: '/author',
    rule: 'unknown-field',
  },
  {
    name: 'unknown session field',
    build: edit((d) => (d.sessions[1].colour = 'red')),
    code: I,
    path: '/sessions/1/colour',
    rule: 'unknown-field',
  },
  {
    name: 'missing name',
    build: edit((d) => delete d.name),
    code: I,
    path: '/name',
    rule: 'missing-field',
  },
  {
    name: 'missing layout',
    build: edit((d) => delete d.layout),
    code: I,
    path: '/layout',
    rule: 'missing-field',
  },
  {
    name: 'sessions not an array',
    build: edit((d) => (d.sessions = {})),
    code: I,
    path: '/sessions',
    rule: 'wrong-type',
  },
  {
    name: 'a position with a string coordinate',
    build: edit((d) => (d.layout.positions.lint.x = '320')),
    code: I,
    path: '/layout/positions/lint/x',
    rule: 'wrong-type',
  },
  {
    name: 'unknown session type',
    build: edit((d) => (d.sessions[1].type = 'manager')),
    code: I,
    path: '/sessions/1/type',
    rule: 'invalid-value',
  },
  {
    name: 'unknown runner kind',
    build: edit((d) => (d.sessions[1].runner = { kind: 'python', source: 'print(1)' })),
    code: I,
    path: '/sessions/1/runner/kind',
    rule: 'invalid-value',
  },
  {
    name: 'a shell runner without its command',
    build: edit((d) => delete d.sessions[2].runner.command),
    code: I,
    path: '/sessions/2/runner/command',
    rule: 'missing-field',
  },
  {
    name: 'a negative timeout',
    build: edit((d) => (d.sessions[1].runner.timeoutMs = -5)),
    code: I,
    path: '/sessions/1/runner/timeoutMs',
    rule: 'invalid-value',
  },
  {
    name: 'an id with spaces',
    build: edit((d) => (d.sessions[4].id = 'the watcher')),
    code: I,
    path: '/sessions/4/id',
    rule: 'invalid-value',
  },
  {
    name: 'apiVersion that is not semver',
    build: edit((d) => (d.apiVersion = 'latest')),
    code: I,
    path: '/apiVersion',
    rule: 'invalid-value',
  },
  {
    name: 'a zero zoom',
    build: edit((d) => (d.layout.viewport.zoom = 0)),
    code: I,
    path: '/layout/viewport/zoom',
    rule: 'invalid-value',
  },
  {
    name: `more than ${MAX_WORKFLOW_SESSIONS} sessions`,
    build: edit((d) => {
      d.sessions = Array.from({ length: MAX_WORKFLOW_SESSIONS + 1 }, (_, i) => ({
        id: `s${i}`,
        type: 'department',
        name: `s${i}`,
      }));
      d.edges = [];
      d.layout.positions = {};
    }),
    code: I,
    path: '/sessions',
    rule: 'invalid-value',
  },
  {
    name: 'duplicate session ids',
    build: edit((d) => (d.sessions[2].id = 'lint')),
    code: I,
    path: '/sessions/2/id',
    rule: 'duplicate-id',
  },
  {
    name: 'duplicate session names',
    build: edit((d) => (d.sessions[3].name = 'Lint')),
    code: I,
    path: '/sessions/3/name',
    rule: 'duplicate-name',
  },
  {
    name: 'a second director',
    build: edit(
      (d) =>
        (d.sessions[3] = {
          id: 'review',
          type: 'director',
          name: 'Review',
          runner: { kind: 'fan-out' },
        }),
    ),
    code: I,
    path: '/sessions/3/type',
    rule: 'second-director',
  },
  {
    name: 'a department with a director’s runner',
    build: edit((d) => (d.sessions[1].runner = { kind: 'fan-out' })),
    code: I,
    path: '/sessions/1/runner/kind',
    rule: 'runner-kind',
  },
  {
    name: 'an observer with a runner',
    build: edit((d) => (d.sessions[4].runner = { kind: 'manual' })),
    code: I,
    path: '/sessions/4/runner/kind',
    rule: 'runner-kind',
  },
  {
    name: 'an edge to an unknown session',
    build: edit((d) => (d.edges[0].to = 'ghost')),
    code: I,
    path: '/edges/0/to',
    rule: 'unknown-session',
  },
  {
    name: 'an edge from a session to itself',
    build: edit((d) => (d.edges[0].to = 'director')),
    code: I,
    path: '/edges/0/to',
    rule: 'self-edge',
  },
  {
    name: 'duplicate edge ids',
    build: edit((d) => (d.edges[1].id = 'e-lint')),
    code: I,
    path: '/edges/1/id',
    rule: 'duplicate-id',
  },
  {
    name: 'two edges joining the same sessions',
    build: edit((d) => d.edges.push({ id: 'again', from: 'lint', to: 'director' })),
    code: I,
    path: '/edges/3',
    rule: 'duplicate-edge',
  },
  {
    name: 'an edge type against the direction rules',
    build: edit((d) =>
      d.edges.push({ id: 'peer', from: 'lint', to: 'build', types: ['STATUS_UPDATE'] }),
    ),
    code: I,
    path: '/edges/3/types/0',
    rule: 'edge-direction',
  },
  {
    name: 'an unknown message type on an edge',
    build: edit((d) => (d.edges[1].types = ['COMMAND', 'SHOUT'])),
    code: I,
    path: '/edges/1/types/1',
    rule: 'invalid-value',
  },
  {
    name: 'a cycle of departments',
    build: edit((d) =>
      d.edges.push(
        { id: 'c1', from: 'lint', to: 'build' },
        { id: 'c2', from: 'build', to: 'review' },
        { id: 'c3', from: 'review', to: 'lint' },
      ),
    ),
    code: I,
    path: '/edges/5',
    rule: 'cycle',
  },
  {
    name: 'a position for an unknown session',
    build: edit((d) => (d.layout.positions.ghost = { x: 1, y: 2 })),
    code: I,
    path: '/layout/positions/ghost',
    rule: 'unknown-session',
  },
  {
    name: 'an API key in a shell environment',
    build: edit((d) => (d.sessions[2].runner.env.OPENAI_API_KEY = 'abc123')),
    code: I,
    path: '/sessions/2/runner/env/OPENAI_API_KEY',
    rule: 'secret',
  },
  {
    name: 'an apiKey on a model runner',
    build: edit((d) => (d.sessions[3].runner.apiKey = 'anything')),
    code: I,
    path: '/sessions/3/runner/apiKey',
    rule: 'secret',
  },
  {
    name: 'a key-like token in shell arguments',
    build: edit((d) => d.sessions[2].runner.args.push('ghp_abcdefghijklmnopqrstuvwxyz0123')),
    code: I,
    path: '/sessions/2/runner/args/4',
    rule: 'secret',
  },
  {
    name: 'credentials inside a URL',
    build: edit((d) => (d.sessions[3].runner.baseURL = 'https://user:pw@llm.example.com')),
    code: I,
    path: '/sessions/3/runner/baseURL',
    rule: 'secret',
  },
  {
    name: 'a __proto__ key',
    build: () =>
      validText().replace('"settings": {', '"settings": {"__proto__": {"polluted": true},'),
    code: I,
    path: '/settings/__proto__',
    rule: 'forbidden-key',
  },
  {
    name: 'a version-1 file with an unknown node field',
    build: v1((d) => (d.nodes[0].colour = 'red')),
    code: I,
    path: '/nodes/0/colour',
    rule: 'unknown-field',
  },
  {
    name: 'a version-1 file whose link targets no node',
    build: v1((d) => (d.links[0].target = 'ghost')),
    code: I,
    path: '/links/0/target',
    rule: 'unknown-session',
  },
  {
    // JSON.parse would keep the second command and drop the first without a word.
    name: 'a key written twice in one object',
    build: () => validText().replace('"command": "npm",', '"command": "npm", "command": "rm",'),
    code: I,
    path: '/sessions/2/runner/command',
    rule: 'duplicate-key',
  },
  {
    name: 'a version-1 file with a key written twice',
    build: () => v1()().replace('"label":"Job"', '"label":"Job","label":"Other"'),
    code: I,
    path: '/nodes/1/label',
    rule: 'duplicate-key',
  },
];
