import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { passthroughArgs } from '../command-args.js';
import { ironrunConfigDir } from '../config-dir.js';
import { ExitCode } from '../exit-code.js';
import { findPolicyFile, resolvePolicyPath } from '../find-policy.js';
import { agentEnvironment, isConfined } from './agent-confinement.js';
import { type CoverChange, coverBaseline } from './cover-watch.js';
import { dropAgentInput, frozenTerminalApproval } from './frozen-terminal-approval.js';
import {
  bubblewrapExecReported,
  bubblewrapReportsStatus,
  bubblewrapStatusArgs,
  type ConfinementLaunch,
  type ConfinementRefusal,
  installedLinuxConfinement,
  isConfinementRefusal,
  type LinuxConfinement,
  type LinuxConfinementKind,
  linuxLaunch,
  markerDescriptor,
  markerWritten,
  ownTerminal,
  probeLinuxConfinement,
  startedMarkerArgv,
} from './linux-confinement.js';
import { macosSandboxProfile } from './macos-sandbox-profile.js';
import type { SecretLocation } from './secret-locations.js';

const sandboxExecPath = '/usr/bin/sandbox-exec';

function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

/** How the agent will be started on this platform, or why it cannot be. */
async function plan(
  locations: readonly SecretLocation[],
  probing: Promise<LinuxConfinement | ConfinementRefusal> | undefined,
  /** Secret locations that do not exist yet: sandbox-exec's path rules deny them too. */
  absent: readonly { path: string }[] = [],
): Promise<
  | (ConfinementLaunch & { confinement: LinuxConfinement })
  | { kind: 'sandbox-exec'; file: string; args: string[] }
> {
  if (probing !== undefined) {
    const found = await probing;
    if (!isConfinementRefusal(found)) {
      return { ...linuxLaunch(found, locations, ownTerminal()), confinement: found };
    }
    throw new CliError(
      'SANDBOX',
      `Cannot confine the agent here: ${found.reason}. It was not started.`,
      {
        hints: [found.fix],
      },
    );
  }
  if (process.platform === 'darwin') {
    return {
      kind: 'sandbox-exec',
      file: sandboxExecPath,
      args: [
        '-p',
        macosSandboxProfile(
          locations,
          absent.map((location) => location.path),
        ),
        '--',
      ],
    };
  }
  throw new CliError(
    'SANDBOX',
    `Cannot confine the agent on ${process.platform}: ironrun agent supports Linux (namespaces) and macOS (sandbox-exec). It was not started.`,
    {
      hints: [
        'Run the agent on Linux or macOS, or use ironrun without `agent` (see SECURITY.md, "Same OS user").',
      ],
    },
  );
}

/** Why the agent was not started when `kind`'s set-up exited `code` before the agent's exec. */
function setupFailed(kind: string, code: number): string {
  return `Cannot confine the agent here: ${kind} exited ${code} before the agent started (its message is above). It was not started.`;
}

/** The broker of one start, listening on its socket. */
type ListeningBroker = Awaited<ReturnType<typeof import('@ironrun/core/broker').startBroker>>;

/**
 * Starts the broker listening on `socketPath` (in its private folder), without its pipeline
 * (see BrokerHandle.warm).
 */
async function listenBroker(options: {
  socketPath: string;
  env: CliIo['env'];
  configDir: string;
  brokerModule: Promise<typeof import('@ironrun/core/broker')> | undefined;
  /** The agent's process, once started: the approval stops it while it asks. */
  agentPid: () => number | undefined;
}): Promise<ListeningBroker> {
  const { startBroker } = await (options.brokerModule ?? import('@ironrun/core/broker'));
  return startBroker({
    socketPath: options.socketPath,
    env: options.env,
    configDir: options.configDir,
    // Linux: the person's terminal, with the whole confinement stopped while it asks.
    confirm: process.platform === 'linux' ? frozenTerminalApproval(options.agentPid) : undefined,
  });
}

/**
 * `ironrun agent`: finds what to hide, checks the confinement works here,
 * starts the agent confined with the terminal and the broker on a private
 * unix socket, and when the agent exits, stops the broker and exits with
 * the agent's code. Never starts the agent unconfined.
 */
export async function startConfinedAgent(options: {
  io: CliIo;
  rawArgs: readonly string[];
  policy: string | undefined;
  confinement: string | undefined;
  dryRun: boolean;
}): Promise<number> {
  const { io } = options;
  const argv = passthroughArgs(options.rawArgs);
  if (argv.length === 0 || argv[0] === '') {
    throw new CliError('USAGE', 'Missing the agent to start.', {
      hints: ['Put the agent’s command after --: ironrun agent -- claude'],
    });
  }
  const prefer = options.confinement;
  if (prefer !== undefined && prefer !== 'bubblewrap' && prefer !== 'unshare') {
    throw new CliError('USAGE', `Unknown confinement "${prefer}".`, {
      hints: ['Use --confinement bubblewrap or --confinement unshare (Linux).'],
    });
  }
  // The start path, in order of cost: the namespaces are probed (a child process) while the
  // secret locations are found (core's provider declarations, and the policy reader only when
  // there is a policy to read); the agent starts, then the broker listens without its pipeline,
  // and only then does it load policy, sandbox and redactor (see BrokerHandle.warm). Every
  // security decision (what is covered, which variables go) is made before the agent starts.
  // Linux: --dry-run probes (it reports what works); a real start takes the first confinement
  // installed and probes only if its set-up fails (see the marker below), so the common start
  // runs the namespaces once, not twice.
  const probing =
    process.platform === 'linux'
      ? (options.dryRun ? probeLinuxConfinement : installedLinuxConfinement)({
          prefer: prefer as LinuxConfinementKind | undefined,
        })
      : undefined;
  probing?.catch(() => {});
  const brokerModule = options.dryRun ? undefined : import('@ironrun/core/broker');
  brokerModule?.catch(() => {});
  const { agentSecrets, createConfigFolders, uncoveredLocation } = await import(
    './secret-locations.js'
  );
  const configDir = await ironrunConfigDir(io.env);
  if (isConfined(io.env, configDir)) {
    throw new CliError(
      'CONFINED',
      'This already runs inside ironrun agent; a broker here would hold no secret.',
      {
        hints: ['Start `ironrun agent` from a terminal outside the confinement.'],
      },
    );
  }
  const policyPath =
    options.policy !== undefined
      ? resolvePolicyPath(options.policy, io.cwd)
      : findPolicyFile(io.cwd);
  // The broker's private folder (mode 0700, in XDG_RUNTIME_DIR or the temporary folder), which
  // every way out below removes (the finally at the end); the broker listens in it once the agent
  // is on its way (below). Not for --dry-run, which starts nothing.
  let agentPid: number | undefined;
  const socketDir = options.dryRun
    ? undefined
    : mkdtempSync(join(io.env.XDG_RUNTIME_DIR || tmpdir(), 'ironrun-agent-'));
  let listening: Promise<ListeningBroker> | undefined;
  try {
    if (!options.dryRun) createConfigFolders({ env: io.env, configDir });
    const secrets = await agentSecrets({ env: io.env, configDir, policyPath });
    const cwd = resolve(io.cwd);
    const home = homedir();
    for (const location of secrets.locations) {
      if (
        location.kind === 'directory' &&
        (within(cwd, location.path) || within(home, location.path))
      ) {
        throw new CliError(
          'USAGE',
          `The secret location ${location.path} (${location.reason}) holds ${within(cwd, location.path) ? 'this folder' : 'the home folder'}; hiding it would hide the agent's work too. The agent was not started.`,
          {
            hints: [
              'Move the ironrun config folder or the envfile out of the project and home root (IRONRUN_CONFIG_DIR).',
            ],
          },
        );
      }
    }
    const launch = await plan(secrets.locations, probing, secrets.absent);

    if (options.dryRun) {
      io.out(`confinement: ${launch.kind} (${launch.file})\n`);
      for (const location of secrets.locations) {
        io.out(`hidden: ${location.path} (${location.kind}; ${location.reason})\n`);
      }
      for (const location of secrets.absent) {
        io.out(`watched, absent: ${location.path} (${location.reason})\n`);
      }
      io.out(`removed from the environment: ${secrets.variables.join(', ')}\n`);
      io.out(`agent: ${JSON.stringify(argv)}\n`);
      io.out(`launch: ${JSON.stringify([launch.file, ...launch.args, ...argv])}\n`);
      return ExitCode.OK;
    }

    const socketPath = join(socketDir as string, 'broker.sock');
    const ignore = () => {};
    let changed: CoverChange | undefined;
    let uncovered: SecretLocation | undefined;
    let watcher: { close(): void } | undefined;
    let child: ChildProcess | undefined;
    const stop = () => child?.kill('SIGKILL');
    /**
     * Starts the agent under `chosen` and resolves with its exit code, and whether the set-up
     * completed (Linux: the agent's program was exec'd after every namespace and cover was in
     * place). bubblewrap says so itself (`--json-status-fd`, unless `marker`); the own set-up,
     * and a bubblewrap too old for the option, through the marker's `sh` before the agent's exec
     * (see startedMarkerArgv). A launch ended by a signal counts as started: it is never started
     * again.
     */
    const startUnder = (
      chosen: typeof launch,
      marker = chosen.kind !== 'bubblewrap',
    ): Promise<{ code: number; started: boolean }> => {
      const env = agentEnvironment(io.env, {
        variables: secrets.variables,
        socketPath,
        kind: chosen.kind,
      });
      const linux = 'confinement' in chosen;
      const report = linux ? (marker ? 'marker' : 'status') : undefined;
      const sh = linux ? (chosen.confinement.tools.sh ?? '/bin/sh') : '/bin/sh';
      const agentArgv = report === 'marker' ? startedMarkerArgv(sh, argv) : argv;
      const wrapperArgs =
        report === 'status' ? [...bubblewrapStatusArgs(3), ...chosen.args] : chosen.args;
      // bwrap dies on a Ctrl-C (and the agent with it): start it with SIGINT and
      // SIGQUIT ignored; `env --default-signal` gives the agent its defaults back.
      const [file, args] =
        chosen.kind === 'bubblewrap'
          ? [
              '/bin/sh',
              ['-c', 'trap "" INT QUIT; exec "$0" "$@"', chosen.file, ...wrapperArgs, ...agentArgv],
            ]
          : [chosen.file, [...wrapperArgs, ...agentArgv]];
      const descriptor = linux ? markerDescriptor(socketDir as string) : undefined;
      return new Promise((resolvePromise, reject) => {
        let spawned: ChildProcess;
        try {
          spawned = spawn(file, args as string[], {
            stdio:
              descriptor === undefined ? 'inherit' : ['inherit', 'inherit', 'inherit', descriptor],
            env,
            cwd,
          });
        } catch (error) {
          if (descriptor !== undefined) closeSync(descriptor);
          throw error;
        }
        child = spawned;
        agentPid = spawned.pid;
        // Read (and closed) once, by whichever of 'error' and 'close' comes first.
        let open = descriptor;
        const reportSeen = (): boolean => {
          const fd = open;
          open = undefined;
          if (fd === undefined) return false;
          return report === 'status' ? bubblewrapExecReported(fd) : markerWritten(fd);
        };
        const forward = (signal: NodeJS.Signals) => () => spawned.kill(signal);
        const onTerm = forward('SIGTERM');
        const onHup = forward('SIGHUP');
        process.on('SIGTERM', onTerm);
        process.on('SIGHUP', onHup);
        spawned.once('error', (error) => {
          process.off('SIGTERM', onTerm);
          process.off('SIGHUP', onHup);
          reportSeen();
          reject(
            new CliError('SANDBOX', `Could not start the confinement (${error.message}).`, {
              cause: error,
            }),
          );
        });
        spawned.once('close', (exitCode, signal) => {
          process.off('SIGTERM', onTerm);
          process.off('SIGHUP', onHup);
          resolvePromise({
            code: exitCode ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)),
            // Read (and closed) either way.
            started: reportSeen() || descriptor === undefined || signal !== null,
          });
        });
      });
    };
    // The terminal's Ctrl-C is the agent's; the broker outlives it and stops when the agent ends.
    process.on('SIGINT', ignore);
    process.on('SIGQUIT', ignore);
    try {
      // A secret location created, or a covered one replaced, outside while the agent runs is
      // not (or no longer) covered inside: stop the whole confinement at once. The baseline is
      // taken before the launch and the watch armed right after it (inotify's set-up is off the
      // start's path): a change in between is found by the check each armed watch makes, and
      // the agent, started by then, is stopped.
      const covers = coverBaseline([
        ...secrets.locations.map((location) => ({ ...location, covered: true })),
        ...secrets.absent.map((location) => ({ ...location, covered: false })),
      ]);
      const first = startUnder(launch);
      // The broker listens now that the agent is on its way: its module, `net` and the socket are
      // off the start's path, and it serves nothing but the agent. A client inside that asks
      // before it listens waits for it (connectBroker tries again for up to a second). If it
      // cannot listen, the agent is stopped.
      listening = listenBroker({
        socketPath,
        env: io.env,
        configDir,
        brokerModule,
        agentPid: () => agentPid,
      });
      listening.catch(() => {});
      watcher = covers.arm((change) => {
        changed = change;
        stop();
      });
      let broker: ListeningBroker;
      try {
        broker = await listening;
      } catch (error) {
        stop();
        await first.catch(() => undefined);
        throw error;
      }
      // Load the pipeline while the agent starts, not on its first request.
      broker.warm().catch(() => {});
      // The covers came from the scan of the policy's provider section (no YAML parser before
      // the start): check them against the full reader now, and stop the agent on a miss.
      if (secrets.scanned) {
        agentSecrets({ env: io.env, configDir, policyPath, exact: true })
          .then((full) => {
            const missed = uncoveredLocation(secrets.locations, full.locations);
            if (missed !== undefined && uncovered === undefined) {
              uncovered = missed;
              stop();
            }
          })
          .catch(() => {});
      }
      let { code, started } = await first;
      if (!started && 'confinement' in launch && changed === undefined && uncovered === undefined) {
        // The set-up failed before the agent started (its own message is above, on stderr): find
        // what works here the careful way, and start under another confinement, or refuse.
        const failed = launch.kind;
        const retry = await plan(
          secrets.locations,
          probeLinuxConfinement({ prefer: prefer as LinuxConfinementKind | undefined }),
        );
        // A bubblewrap that works but refuses --json-status-fd (older than 0.3.2) failed at the
        // option, before it set anything up: start under it with the marker instead.
        const olderBubblewrap =
          failed === 'bubblewrap' &&
          'confinement' in retry &&
          retry.kind === 'bubblewrap' &&
          !(await bubblewrapReportsStatus(retry.confinement));
        if (retry.kind === failed && !olderBubblewrap) {
          throw new CliError('SANDBOX', setupFailed(failed, code), {
            hints: [
              'Check that every secret location (ironrun agent --dry-run) can be mounted over, or try --confinement bubblewrap or unshare.',
            ],
          });
        }
        ({ code, started } = await startUnder(retry, true));
        if (!started) {
          throw new CliError(
            'SANDBOX',
            retry.kind === failed
              ? setupFailed(failed, code)
              : `Cannot confine the agent here: neither ${failed} nor ${retry.kind} could set it up (their messages are above). It was not started.`,
            { hints: ['Run ironrun agent --dry-run to see what is found.'] },
          );
        }
      }
      // Keys the agent pushed into the terminal (TIOCSTI) must not reach the shell after it.
      await dropAgentInput();
      if (uncovered !== undefined) {
        throw new CliError(
          'SANDBOX',
          `The secret location ${uncovered.path} (${uncovered.reason}) was not hidden: the quick read of the policy before the start missed it; the agent was stopped.`,
          {
            hints: [
              'Report this as an ironrun bug, with the provider section of ironrun.yml (not the secrets).',
            ],
          },
        );
      }
      if (changed !== undefined) {
        throw new CliError(
          'SANDBOX',
          `The secret location ${changed.path} (${changed.reason}) was ${changed.change} while the agent ran (outside, or by the agent itself), so the confinement no longer hid it; the agent was stopped.`,
          {
            hints: [
              'Start ironrun agent again: it hides the location as it is now. Log in to vault CLIs and edit secret files before starting the agent, or edit them in place.',
            ],
          },
        );
      }
      return code;
    } finally {
      watcher?.close();
      process.off('SIGINT', ignore);
      process.off('SIGQUIT', ignore);
    }
  } finally {
    const started = await listening?.catch(() => undefined);
    await started?.close();
    // Synchronous, as every file call before the agent starts: node:fs/promises is not loaded
    // at all on the way to the start (it costs about 1.3 ms to load).
    if (socketDir !== undefined) rmSync(socketDir, { recursive: true, force: true });
  }
}
