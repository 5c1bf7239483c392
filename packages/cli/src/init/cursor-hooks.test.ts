import { describe, expect, it } from 'vitest';
import { cursorGuardEvents } from '../guard/cursor-hook.js';
import { mergeCursorHooks } from './cursor-hooks.js';

const command =
  "node /app/node_modules/@ironrun/cli/dist/guard.cjs || { echo 'ironrun guard could not run' >&2; exit 2; }";

describe('mergeCursorHooks', () => {
  it('registers the guard, failing closed, for shell commands, reads and every other tool', () => {
    const outcome = mergeCursorHooks(undefined, command);
    expect(outcome.status).toBe('create');
    if (outcome.status !== 'create') return;
    const file = JSON.parse(outcome.text);
    expect(file.version).toBe(1);
    expect(Object.keys(file.hooks)).toEqual([...cursorGuardEvents]);
    for (const event of cursorGuardEvents) {
      expect(file.hooks[event]).toEqual([{ command, timeout: 10, failClosed: true }]);
    }
  });

  it('keeps other hooks, adds nothing twice, and recognises a guard written with another launcher', () => {
    const existing = JSON.stringify({
      version: 1,
      hooks: {
        afterFileEdit: [{ command: 'prettier --write' }],
        beforeShellExecution: [{ command: './audit.sh' }, { command: 'ironrun guard' }],
      },
    });
    const outcome = mergeCursorHooks(existing, command);
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    const file = JSON.parse(outcome.text);
    expect(file.hooks.afterFileEdit).toEqual([{ command: 'prettier --write' }]);
    expect(file.hooks.beforeShellExecution).toEqual([
      { command: './audit.sh' },
      { command: 'ironrun guard' },
    ]);
    expect(file.hooks.beforeReadFile).toHaveLength(1);
    expect(mergeCursorHooks(outcome.text, command)).toEqual({ status: 'unchanged' });
  });

  it('rewrites a guard on the old ES entry dist/guard.js to the command, once per event', () => {
    const old = command.replace('guard.cjs', 'guard.js');
    const existing = JSON.stringify({
      version: 1,
      hooks: {
        beforeShellExecution: [
          { command: './audit.sh' },
          { command: old, timeout: 10, failClosed: true },
        ],
        // Twice, or next to the current command: one guard is left.
        beforeReadFile: [
          { command: old, timeout: 10, failClosed: true },
          { command: old, timeout: 10, failClosed: true },
        ],
        preToolUse: [
          { command: old, timeout: 10, failClosed: true },
          { command, timeout: 10, failClosed: true },
        ],
      },
    });
    const outcome = mergeCursorHooks(existing, command);
    expect(outcome.status).toBe('update');
    if (outcome.status !== 'update') return;
    const file = JSON.parse(outcome.text);
    const guard = { command, timeout: 10, failClosed: true };
    expect(file.hooks).toEqual({
      beforeShellExecution: [{ command: './audit.sh' }, guard],
      beforeReadFile: [guard],
      preToolUse: [guard],
    });
    expect(mergeCursorHooks(outcome.text, command)).toEqual({ status: 'unchanged' });
  });

  it('never touches a file it cannot read as version 1 hooks', () => {
    expect(mergeCursorHooks('{', command).status).toBe('skipped');
    expect(mergeCursorHooks('[]', command).status).toBe('skipped');
    expect(mergeCursorHooks('{"version":2}', command).status).toBe('skipped');
    expect(mergeCursorHooks('{"hooks":{"beforeReadFile":{}}}', command).status).toBe('skipped');
  });
});
