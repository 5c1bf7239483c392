import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isActionError } from './action-error.js';
import { inputNames, parseArgsInput, readInputs } from './inputs.js';

const reader =
  (inputs: Record<string, string>) =>
  (name: string): string =>
    inputs[name] ?? '';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('readInputs', () => {
  it('reads a command with the documented defaults', () => {
    expect(readInputs(reader({ command: 'deploy' }))).toEqual({
      command: 'deploy',
      policy: 'ironrun.yml',
      args: [],
      trust: 'workflow',
      trustDir: '',
      envfile: '',
      credentials: {},
    });
  });

  it('refuses a missing command with INPUT_MISSING', () => {
    const error = thrown(() => readInputs(reader({ command: '  ' })));
    expect(isActionError(error) && error.code).toBe('INPUT_MISSING');
  });

  it('refuses a command id with a newline (a log-injection attempt)', () => {
    const error = thrown(() => readInputs(reader({ command: 'deploy\n::error::fake' })));
    expect(isActionError(error) && error.code).toBe('INPUT_INVALID');
  });

  it('refuses an unknown trust mode and lists the valid ones', () => {
    const error = thrown(() => readInputs(reader({ command: 'x', trust: 'yes' })));
    expect(isActionError(error) && error.code).toBe('INPUT_INVALID');
    expect((error as Error).message).toContain('workflow, pinned');
  });

  it('keeps only the credentials given, trimmed', () => {
    const inputs = readInputs(reader({ command: 'x', 'doppler-token': ' dp.st.abcdef \n' }));
    expect(inputs.credentials).toEqual({ 'doppler-token': 'dp.st.abcdef' });
  });

  it('never puts a credential value in the error for a malformed credential', () => {
    const value = 'sup3r-s3cret-line-one\nline-two';
    const error = thrown(() =>
      readInputs(reader({ command: 'x', 'op-service-account-token': value })),
    );
    expect(isActionError(error) && error.code).toBe('INPUT_INVALID');
    expect(String((error as Error).message)).not.toContain('sup3r');
    expect(String((error as Error).message)).not.toContain('line-two');
  });

  it('reads exactly the inputs action.yml declares', async () => {
    const metadata = parse(
      await readFile(join(import.meta.dirname, '../../../action.yml'), 'utf8'),
    ) as {
      inputs: Record<string, unknown>;
    };
    expect(Object.keys(metadata.inputs).sort()).toEqual([...inputNames].sort());
    const asked: string[] = [];
    readInputs((name) => {
      asked.push(name);
      return name === 'command' ? 'x' : '';
    });
    expect([...new Set(asked)].sort()).toEqual([...inputNames].sort());
  });
});

describe('parseArgsInput', () => {
  it('reads one argument per line, ignoring blank lines and surrounding spaces', () => {
    expect(parseArgsInput('\n  --env \r\n\nstaging\n')).toEqual(['--env', 'staging']);
  });

  it('reads a JSON array exactly, spaces and empty strings included', () => {
    expect(parseArgsInput(' ["--message", " two words ", ""] ')).toEqual([
      '--message',
      ' two words ',
      '',
    ]);
  });

  it('refuses JSON that is not an array of strings', () => {
    for (const text of ['[1, 2]', '["a", null]', '[', '["a"] trailing']) {
      expect(isActionError(thrown(() => parseArgsInput(text)))).toBe(true);
    }
  });

  it('round-trips any list of strings through the JSON form', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (args) => {
        expect(parseArgsInput(JSON.stringify(args))).toEqual(args);
      }),
    );
  });

  it('returns no arguments for an empty input', () => {
    expect(parseArgsInput('')).toEqual([]);
    expect(parseArgsInput(' \n ')).toEqual([]);
  });
});
