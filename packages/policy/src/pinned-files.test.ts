import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedFiles } from './pinned-files.js';
import { parsePolicy } from './validate-policy.js';

const root = join('/', 'srv', 'app');
const filename = join(root, 'ironrun.yml');

function pins(commands: string): string[] {
  return pinnedFiles(
    parsePolicy(`version: 1\nprovider: envfile\ncommands:\n${commands}`, { filename }),
  );
}

describe('pinnedFiles', () => {
  it('pins a program named by path and the scripts it is handed', () => {
    expect(
      pins(
        '  - { id: a, argv: [./deploy.sh, --prod] }\n  - { id: b, argv: [node, scripts/deploy.js, staging] }\n',
      ),
    ).toEqual([join(root, 'deploy.sh'), join(root, 'scripts/deploy.js'), join(root, 'staging')]);
  });

  it('resolves argv against the command cwd and pin entries against the policy folder', () => {
    expect(pins('  - { id: a, argv: [node, run.js], cwd: app, pin: [lib/shared.sh] }\n')).toEqual([
      join(root, 'app', 'run.js'),
      join(root, 'lib', 'shared.sh'),
    ]);
  });

  it('skips bare programs, options, URLs, the project folder, the policy and paths outside the project', () => {
    expect(
      pins(
        '  - { id: a, argv: [node, --require, -e, "https://x.test/a", ., ironrun.yml, /usr/lib/node.js, ../../etc/passwd] }\n',
      ),
    ).toEqual([]);
  });

  it('pins absolute paths inside the project and relative allow entries', () => {
    expect(
      pins(`  - { id: a, argv: [sh, ${root}/x.sh], allow: [./bin/tool, /usr/bin/env, git] }\n`),
    ).toEqual([join(root, 'bin', 'tool'), join(root, 'x.sh')]);
  });

  it('lists each path once, sorted', () => {
    expect(
      pins('  - { id: a, argv: [./b.sh, ./a.sh] }\n  - { id: b, argv: [./a.sh], pin: [a.sh] }\n'),
    ).toEqual([join(root, 'a.sh'), join(root, 'b.sh')]);
  });
});
