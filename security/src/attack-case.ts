import type { TestFile } from '@ironrun/test-utils';
import { expect } from 'vitest';
import type { AttackProject } from './attack-project.js';

/** The six layers of SECURITY.md, as the cases name what stops them. */
export type Layer = 'policy' | 'trust' | 'provider' | 'sandbox' | 'network' | 'redactor';

/** What a case's policy and checks may refer to. */
export interface CaseContext {
  /** The project folder. */
  dir: string;
  /** The envfile secrets file (outside the project). */
  secretsPath: string;
  /** The port of the TCP listener the test opened on 127.0.0.1, when the case asked for one. */
  port: number;
  /** The name of the abstract unix socket the test listens on, when the case asked for one. */
  socketName: string;
  /** A token unique to this run, for finding stray processes by their command line. */
  token: string;
}

/** Where the case was run. */
export type Frontend = 'core' | 'mcp' | 'cli' | 'action' | 'broker';

/** A run's result as every frontend reports it. */
export interface NormalizedResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  redactions: number;
}

/** What happened when a case ran, and everything the agent could read because of it. */
export interface Outcome {
  frontend: Frontend;
  /** The result, when the command ran. */
  result?: NormalizedResult;
  /** The refusal, when it did not: the code when the frontend reports one. */
  refusal?: { code?: string; message: string };
  /** Whether the fixture started (it writes ran.marker first). */
  ran: boolean;
  /** Every text the agent could read, labelled by where it was found. */
  exposed: { label: string; text: string }[];
  /** What the test's listener received, if the case opened one. */
  listener?: { connections: number; received: string };
  project: AttackProject;
  context: CaseContext;
}

/** One attack: a small policy, a command and the outcome it must have. */
export interface AttackCase {
  /** The attack, as a sentence: the test name. */
  name: string;
  /** The layers expected to stop it (documentation, and the SECURITY.md table). */
  stoppedBy: Layer[];
  /** Only meaningful on Linux (PID namespaces, /proc). */
  linuxOnly?: boolean;
  /** Why the case cannot be observed on this machine (printed when it is skipped), or `undefined` when it can. */
  skip?: () => string | undefined;
  /** The `commands:` list items (YAML); the case runs the command `attack` unless `commandId` says otherwise. */
  commands: (ctx: CaseContext) => string;
  /** The `provider:` value (YAML, indented under the key); envfile with the secrets file by default. */
  provider?: (ctx: CaseContext) => string;
  /** Project files besides the fixtures every project gets (emit.mjs, net.mjs). */
  files?: (ctx: CaseContext) => Record<string, TestFile>;
  /** Names of the standard secrets the envfile holds for this case (all by default). */
  commandId?: string;
  /** Extra arguments the agent passes. */
  args?: string[];
  /** Variables in the caller's environment (the agent's), for the run. */
  callerEnv?: (ctx: CaseContext) => Record<string, string>;
  /** The provider deadline for the run. */
  resolveTimeoutMs?: number;
  /** Trust the policy before the run. @default true */
  trusted?: boolean;
  /** What the agent does after a person trusted the policy. */
  afterTrust?: (project: AttackProject, ctx: CaseContext) => Promise<void>;
  /** A listener the test opens outside the sandbox. */
  listen?: 'tcp' | 'tcp6' | 'abstract';
  /** The outcome this attack must have. */
  expect: (outcome: Outcome) => void | Promise<void>;
}

/** Expects the run to be refused before the command started (with `code` where the frontend reports codes). */
export function refused(...codes: string[]): (outcome: Outcome) => void {
  return (outcome) => {
    expect(outcome.result, 'the command ran, but it should have been refused').toBeUndefined();
    expect(outcome.refusal, 'no refusal was reported').toBeDefined();
    if (outcome.refusal?.code !== undefined && codes.length > 0)
      expect(codes).toContain(outcome.refusal.code);
    expect(outcome.ran, 'the fixture started').toBe(false);
  };
}

/** Expects the command to have run and `check` to hold on its result. */
export function ran(check: (result: NormalizedResult, outcome: Outcome) => void = () => {}) {
  return (outcome: Outcome): void => {
    expect(outcome.refusal?.message ?? '', 'the run was refused').toBe('');
    expect(outcome.result, 'no result').toBeDefined();
    check(outcome.result as NormalizedResult, outcome);
  };
}

/** Expects the command to have run and at least one secret to have been redacted from `stream`. */
export function redactedIn(stream: 'stdout' | 'stderr' = 'stdout', atLeast = 1) {
  return ran((result) => {
    expect(result.exitCode).toBe(0);
    expect(result.redactions).toBeGreaterThanOrEqual(atLeast);
    expect(result[stream].includes('[REDACTED]'), `${stream} shows no [REDACTED] marker`).toBe(
      true,
    );
  });
}
