import { spawnSync } from 'node:child_process';

/** Whether `bwrap` can make a user namespace that forbids nested ones (bubblewrap 0.8+). */
export function bwrapForbidsNesting(bwrap: string): boolean {
  return (
    spawnSync(
      bwrap,
      ['--unshare-user', '--disable-userns', '--dev-bind', '/', '/', '--', '/bin/true'],
      {
        stdio: 'ignore',
        timeout: 10_000,
      },
    ).status === 0
  );
}
