import { isAbsolute, resolve } from 'node:path';
import type { planPins } from './pin-plan.js';
import type { Policy } from './policy.js';
import { hasPathSeparator, isInsideDir } from './project-path.js';

function candidate(policy: Policy, base: string, arg: string): string | undefined {
  if (arg === '' || arg.startsWith('-') || arg.includes('://') || arg.includes('\0'))
    return undefined;
  const absolute = isAbsolute(arg) ? resolve(arg) : resolve(base, arg);
  if (absolute === policy.dir || absolute === policy.path || !isInsideDir(policy.dir, absolute))
    return undefined;
  return absolute;
}

/**
 * A quick, policy-only list of project paths the commands name (no
 * filesystem access). `trust` records more: see {@link planPins}, which
 * resolves programs, option values and interpreter loading; the review
 * should show that plan. The paths listed here:
 * every argv element of every command that names a path inside the project
 * (the program, when written as a path such as `./deploy.sh`, and arguments
 * such as `scripts/deploy.js`, resolved against the command's `cwd`), every
 * relative `allow` entry, and every `pin` entry (resolved against the
 * policy's folder). Computed from the policy alone: a path that does not
 * exist yet is included too, so that creating it later is detected. Options
 * (`-x`) and URLs are skipped; a bare program name (`node`) is looked up on
 * the command's `path`, outside the project, and is not included.
 *
 * @example
 * pinnedFiles(policy) // ['/home/me/app/scripts/deploy.js', …]
 */
export function pinnedFiles(policy: Policy): string[] {
  const found = new Set<string>();
  const add = (path: string | undefined) => {
    if (path !== undefined) found.add(path);
  };
  for (const command of policy.commands) {
    command.argv.forEach((arg, index) => {
      if (index === 0 && !hasPathSeparator(arg)) return;
      add(candidate(policy, command.cwd, arg));
    });
    for (const entry of command.allow) {
      if (hasPathSeparator(entry)) add(candidate(policy, command.cwd, entry));
    }
    for (const entry of command.pin) add(candidate(policy, policy.dir, entry));
  }
  return [...found].sort();
}
