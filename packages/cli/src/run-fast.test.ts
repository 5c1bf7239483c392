import { describe, expect, it } from 'vitest';
import { fastRunRequest } from './run-fast.js';

describe('fastRunRequest', () => {
  it('takes run <id> with --json and --policy in any order before --, and the arguments after it', () => {
    expect(fastRunRequest(['run', 'test'])).toEqual({
      id: 'test',
      policy: undefined,
      json: false,
      passthrough: [],
    });
    expect(
      fastRunRequest(['run', '--json', 'test', '--policy', 'a/ironrun.yml', '--', '-x', '--json']),
    ).toEqual({ id: 'test', policy: 'a/ironrun.yml', json: true, passthrough: ['-x', '--json'] });
    expect(fastRunRequest(['run', '--policy=p.yml', 'deploy', '--'])).toEqual({
      id: 'deploy',
      policy: 'p.yml',
      json: false,
      passthrough: [],
    });
    // After `--`, --help is the command's argument, not ironrun's.
    expect(fastRunRequest(['run', 'test', '--', '--help'])?.passthrough).toEqual(['--help']);
  });

  it('hands every other command line to the full CLI', () => {
    const others = [
      [],
      ['list'],
      ['run'],
      ['run', '--help'],
      ['run', 'test', '-h'],
      ['run', 'test', '--bogus'],
      ['run', 'test', '--no-json'],
      ['run', 'test', '--json', '--json'],
      ['run', 'test', '--json=true'],
      ['run', 'test', 'stray'],
      ['run', 'test', '--policy'],
      ['run', 'test', '--policy', '--json'],
      ['run', 'test', '--policy='],
      ['run', 'test', '--policy', 'a', '--policy', 'b'],
      ['run', '--policy', 'test'],
      ['run', '-', 'test'],
      ['run', '', 'test'],
      ['run', '--', 'test'],
      ['--json', 'run', 'test'],
    ];
    for (const argv of others) expect(fastRunRequest(argv), argv.join(' ')).toBeUndefined();
  });
});
