import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { type IsolationReport, isInsideDir, isInsideRealDir, type TrustCheck } from '@ironrun/core';

/** One line of the `doctor` report. */
export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'info';
  detail: string;
}

/** A row of a check table: the first row whose `when` holds is reported. */
interface CheckRow<Facts> {
  when: (facts: Facts) => boolean;
  status: DoctorCheck['status'];
  detail: (facts: Facts) => string;
}

function firstRow<Facts>(
  name: string,
  rows: readonly CheckRow<Facts>[],
  facts: Facts,
): DoctorCheck {
  const row = rows.find((candidate) => candidate.when(facts));
  if (row === undefined) throw new Error(`doctor: the ${name} table has no row for these facts`);
  return { name, status: row.status, detail: row.detail(facts) };
}

const always = () => true;

const trustRows: readonly CheckRow<{ trust: TrustCheck; projectDir: string; configDir: string }>[] =
  [
    {
      when: ({ trust }) => trust.status === 'trusted',
      status: 'ok',
      detail: ({ configDir }) => `trusted as it is now (${configDir})`,
    },
    {
      when: ({ trust }) => trust.status === 'untrusted',
      status: 'warn',
      detail: () => 'not trusted yet: a person runs `ironrun trust` at a terminal',
    },
    {
      when: always,
      status: 'fail',
      detail: ({ trust, projectDir }) =>
        `changed since trusted: ${(trust.status === 'changed' ? trust.changed : [])
          .map((change) => `${relative(projectDir, change.path)} (${change.reason})`)
          .join(', ')}`,
    },
  ];

/** The `trust` line: trusted, not yet trusted, or what changed since. */
export function trustCheck(trust: TrustCheck, projectDir: string, configDir: string): DoctorCheck {
  return firstRow('trust', trustRows, { trust, projectDir, configDir });
}

interface EnvfileFacts {
  path: string;
  insideProject: boolean;
  mode: number | undefined;
}

const envfileRows: readonly CheckRow<EnvfileFacts>[] = [
  {
    when: (f) => f.insideProject,
    status: 'fail',
    detail: (f) => `${f.path} is inside the project, where the agent can read it; move it out`,
  },
  {
    when: (f) => f.mode === undefined,
    status: 'warn',
    detail: (f) => `${f.path} does not exist yet`,
  },
  {
    when: (f) => ((f.mode ?? 0) & 0o077) !== 0,
    status: 'warn',
    detail: (f) => `${f.path} is readable by other users (chmod 600 it)`,
  },
  {
    when: always,
    status: 'ok',
    detail: (f) => `${f.path} (mode ${((f.mode ?? 0) & 0o777).toString(8)})`,
  },
];

/**
 * The `envfile` line. The envfile must lie outside the project by its written path and by its
 * real path: a symlink either way would let the agent read it, and so would a child folder
 * named `..x` (the old lexical test counted that as outside).
 */
export async function envfileCheck(envfile: string, projectDir: string): Promise<DoctorCheck> {
  const insideProject =
    isInsideDir(projectDir, envfile) || (await isInsideRealDir(projectDir, envfile));
  let mode: number | undefined;
  try {
    mode = statSync(envfile).mode;
  } catch {
    // missing
  }
  return firstRow('envfile', envfileRows, { path: envfile, insideProject, mode });
}

type IsolationFacts = { report: IsolationReport; noNetworkNeeded: boolean };

/** The init and its filter, on Linux: `native init: yes (seccomp filter: yes)`. */
function initLine(report: IsolationReport): string[] {
  if (report.platform !== 'linux' || report.nativeInit === undefined) return [];
  if (report.nativeInit === null) return ['native init: no (Node init: no seccomp filter)'];
  return [`native init: yes (seccomp filter: ${report.seccomp === true ? 'yes' : 'no'})`];
}

function isolationLine(report: IsolationReport, noNetwork: string): string {
  return [
    `pid namespace: ${report.pidNamespace ? 'yes' : 'no'}`,
    `no_network: ${noNetwork}`,
    ...initLine(report),
    ...report.notes,
  ].join('; ');
}

const isolationRows: readonly CheckRow<IsolationFacts>[] = [
  {
    // The native init never runs a program without its filter: every run would be refused.
    when: ({ report }) => typeof report.nativeInit === 'string' && report.seccomp === false,
    status: 'fail',
    detail: ({ report }) =>
      isolationLine(report, report.noNetwork ? 'yes' : 'no').replace(
        'seccomp filter: no',
        'seccomp filter: no, so every run is refused',
      ),
  },
  {
    when: ({ report }) => report.noNetwork,
    status: 'ok',
    detail: ({ report }) => isolationLine(report, 'yes'),
  },
  {
    when: ({ noNetworkNeeded }) => noNetworkNeeded,
    status: 'fail',
    detail: ({ report }) =>
      isolationLine(report, 'no (commands with no_network: true will be refused)'),
  },
  { when: always, status: 'warn', detail: ({ report }) => isolationLine(report, 'no') },
];

/** The `isolation` line: a failure only when a command of the policy needs what is missing. */
export function isolationCheck(report: IsolationReport, noNetworkNeeded: boolean): DoctorCheck {
  return firstRow('isolation', isolationRows, { report, noNetworkNeeded });
}

const guardRows: readonly CheckRow<{ settings: string | undefined }>[] = [
  {
    when: ({ settings }) => settings !== undefined && /ironrun[^"]*\bguard\b/.test(settings),
    status: 'ok',
    detail: () => 'Claude Code PreToolUse hook registered in .claude/settings.json',
  },
  {
    when: always,
    status: 'info',
    detail: () => 'Claude Code hook not registered (`ironrun init --claude-hooks`)',
  },
];

/** The `guard` line, from the text of `.claude/settings.json` (undefined when absent). */
export function guardCheck(settings: string | undefined): DoctorCheck {
  return firstRow('guard', guardRows, { settings });
}
