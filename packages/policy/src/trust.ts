import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { commandDigests } from './command-digest.js';
import { defaultConfigDir } from './config-dir.js';
import { type PolicyFile, policyFromFile, readPolicyFile } from './load-policy.js';
import { plannedPinKey, planPins } from './pin-plan.js';
import {
  compare,
  pinStates,
  snapshot,
  snapshotLike,
  type TrustChangeReason,
  trustedPinKey,
} from './pin-state.js';
import type { ProviderReferenceMap } from './policy.js';
import { PolicyError } from './policy-error.js';
import { isInsideDir } from './project-path.js';
import {
  maxTrustedTextLength,
  readTrustRecord,
  type TrustedCommand,
  type TrustedFile,
  type TrustRecord,
  writeTrustRecord,
} from './trust-store.js';

export type { TrustChangeReason } from './pin-state.js';

/** Options of {@link trust}. */
export interface TrustOptions {
  /** Where the trust store lives. @default defaultConfigDir() */
  configDir?: string;
  /**
   * What each provider declares about its references, by name: see
   * `ParsePolicyOptions.providers`. @default {}
   */
  providers?: ProviderReferenceMap;
  /** More reference schemes claimed without a declared syntax, so their policies validate. @default [] */
  schemes?: readonly string[];
  /**
   * More absolute paths to pin beside the ones the policy names, e.g. the
   * files of a third-party provider package, which runs inside ironrun with
   * the secrets in hand and which the agent could otherwise edit in
   * `node_modules`. {@link checkTrust} checks them like every pinned path.
   * @default []
   */
  extraPins?: readonly string[];
  /**
   * Trust only these commands (by id): the others keep what an earlier
   * trust recorded for them, trusted while their own inputs are unchanged
   * and refused otherwise. Unknown ids are refused (`INVALID_POLICY`).
   * @default undefined: every command
   */
  commands?: readonly string[];
}

/** Options of {@link checkTrust}. */
export interface CheckTrustOptions {
  /** Where the trust store lives. @default defaultConfigDir() */
  configDir?: string;
  /**
   * Check one command only: it is trusted while its own entry, everything
   * outside `commands` (the provider section) and the files it pins are as
   * a person trusted them, whatever changed in other commands' entries or
   * pins. @default undefined: the whole file, byte for byte, and every pin
   */
  command?: string;
}

/** One path that changed since the policy was trusted. */
export interface TrustChange {
  /** The absolute path. */
  path: string;
  /** With {@link CheckTrustOptions.command}: the command whose entry this change is about. */
  command?: string;
  /** For a structured pin (`pin: [{ file, part }]`): the part of the file that changed. */
  part?: string;
  /**
   * `modified`: other content (or a symlink now points elsewhere);
   * `missing`: it was there and is gone; `symlink`: a file became a symlink
   * or a symlink became a file; `added`: it was absent and now exists.
   */
  reason: TrustChangeReason;
}

/** A pinned path and the SHA-256 of the content a person trusted there. */
export interface VerifiedPin {
  path: string;
  sha256: string;
}

/** The hashed pins of `record` that the check covered. */
function verifiedPins(record: TrustRecord, keys: ReadonlySet<string> | undefined): VerifiedPin[] {
  return record.files.flatMap((entry) =>
    (entry.kind === 'file' || entry.kind === 'symlink') &&
    entry.sha256 !== undefined &&
    (keys === undefined || keys.has(trustedPinKey(entry)))
      ? [{ path: entry.path, sha256: entry.sha256 }]
      : [],
  );
}

/** The recorded real programs of `record`'s commands (of command `id` only, when given). */
function trustedPrograms(record: TrustRecord, id: string | undefined): Record<string, string> {
  const programs: Record<string, string> = {};
  for (const [name, command] of Object.entries(record.commands ?? {}))
    if (command.program !== undefined && (id === undefined || id === name))
      programs[name] = command.program;
  return programs;
}

/** The outcome of {@link checkTrust}. */
export type TrustCheck =
  /**
   * `policySha256` is the hash of the bytes that were checked: parse the
   * policy afterwards and compare it with `Policy.sha256`, so a file swapped
   * between the check and the parse is caught.
   */
  | {
      status: 'trusted';
      policySha256: string;
      /**
       * The pinned files (or files a pinned symlink points to) whose content
       * was checked by hash, with that hash: the sandbox runs the program and
       * a shell's script from a copy of exactly these bytes (`verified` of
       * `spawnSealed`). Files recorded by stat fingerprint are not listed.
       */
      verified: VerifiedPin[];
      /**
       * Command id → the real path its `argv[0]` resolved to at trust, for a
       * program named through links in the project (a venv's
       * `.venv/bin/python3`): the run refuses another file and executes this
       * one (`realProgram` of `spawnSealed`). Only the checked commands.
       */
      programs: Record<string, string>;
    }
  | { status: 'untrusted' }
  | { status: 'changed'; changed: TrustChange[] };

/**
 * The trust store's folder, refused when it lies inside the project: there
 * the agent could write its own record.
 */
async function storeOutside(projectDir: string, configDir: string | undefined): Promise<string> {
  const dir = resolve(configDir ?? defaultConfigDir());
  let real = dir;
  try {
    real = realpathSync.native(dir);
  } catch {
    // not there (yet): compared as given
  }
  if (isInsideDir(projectDir, dir) || isInsideDir(projectDir, real)) {
    throw new PolicyError(
      'TRUST_STORE',
      `the trust store ${dir} lies inside the project ${projectDir}, where an agent could write it; use a folder outside the repository`,
    );
  }
  return dir;
}

/**
 * Records that a person reviewed the policy at `policyPath` and the files it
 * runs: the SHA-256 of the policy, its text (for the next review's diff)
 * and the state of every path {@link planPins} names (the resolved program
 * wherever it is found, files in arguments and options, what an interpreter
 * loads, python's script folder listing), in the trust store under
 * `configDir`, keyed by the policy's real path. Refuses (`INVALID_POLICY`) a
 * command whose cwd, relative program or pin really lies outside the
 * project (a project venv's python excepted, whose real python must lie
 * outside it and is recorded as the command's `program`), or whose `path:`
 * folder really lies inside it. The policy must be valid, and the store must lie
 * outside the project. Only a person at a terminal may call this: an agent
 * that can trust can run anything.
 *
 * @example
 * await trust('ironrun.yml'); // after reviewing it and its scripts
 */
export async function trust(
  policyFile: string | PolicyFile,
  options: TrustOptions = {},
): Promise<TrustRecord> {
  const file = typeof policyFile === 'string' ? await readPolicyFile(policyFile) : policyFile;
  const policyPath = file.path;
  const policy = policyFromFile(file, options);
  const extra = options.extraPins ?? [];
  const relative = extra.find((path) => !isAbsolute(path));
  if (relative !== undefined) {
    throw new PolicyError(
      'TRUST_STORE',
      `extraPins takes absolute paths; got a relative one (${JSON.stringify(relative.slice(0, 200))})`,
    );
  }
  const ids = policy.commands.map((command) => command.id);
  const chosen = options.commands === undefined ? ids : [...new Set(options.commands)];
  const unknown = chosen.find((id) => !ids.includes(id));
  if (unknown !== undefined) {
    throw new PolicyError(
      'INVALID_POLICY',
      `cannot trust command ${JSON.stringify(unknown.slice(0, 200))}: ${policyPath} has no such command (it has ${ids.join(', ')})`,
    );
  }
  const plan = await planPins({
    ...policy,
    commands: policy.commands.filter((command) => chosen.includes(command.id)),
  });
  if (plan.problems.length > 0) {
    const first = plan.problems[0]!;
    throw new PolicyError(
      'INVALID_POLICY',
      `cannot trust ${policyPath}: command ${first.command}: ${JSON.stringify(first.subject.slice(0, 200))}: ${first.reason}`,
    );
  }
  const digests = commandDigests(file.text);
  if (digests === undefined) throw new Error('a valid policy has per-command digests');
  const configDir = await storeOutside(policy.dir, options.configDir);
  const previous =
    chosen.length === ids.length ? undefined : await readTrustRecord(configDir, file.realPath);
  const kept = previous?.version === 3 ? previous : undefined;

  const commands: Record<string, TrustedCommand> = {};
  for (const id of ids) {
    if (!chosen.includes(id)) {
      // Another command keeps what was trusted for it, if anything.
      const old = kept?.commands?.[id];
      if (old !== undefined && Object.hasOwn(kept?.commands ?? {}, id)) commands[id] = old;
      continue;
    }
    const keys = new Set<string>();
    for (const pin of plan.pins)
      if (pin.reasons.some((reason) => reason.command === id)) keys.add(plannedPinKey(pin));
    const program = plan.programs[id];
    commands[id] = {
      digest: digests.byId.get(id)!,
      paths: [...keys].sort(),
      ...(program === undefined ? {} : { program }),
    };
  }
  const shared = [...new Set(extra.map((path) => resolve(path)))].sort();

  // Fresh states for what the chosen commands and the provider pin.
  const freshStates = await pinStates(plan);
  for (const path of shared)
    if (!freshStates.has(path)) freshStates.set(path, await snapshot(path));
  const files: TrustedFile[] = [...freshStates.values()];
  // A pin both a chosen and a kept command depend on, changed since the
  // kept command was trusted: its new state is approved for the chosen
  // commands only, so the kept command loses its trust rather than have the
  // change approved for it too.
  const oldStates = new Map((kept?.files ?? []).map((entry) => [trustedPinKey(entry), entry]));
  for (const id of Object.keys(commands)) {
    if (chosen.includes(id)) continue;
    const stale = commands[id]!.paths.some((key) => {
      const before = oldStates.get(key);
      const after = freshStates.get(key);
      return before !== undefined && after !== undefined && compare(before, after).length > 0;
    });
    if (stale) delete commands[id];
  }
  // The states trusted before for what only the other commands pin.
  const stillNeeded = new Set(Object.values(commands).flatMap((command) => command.paths));
  for (const [key, old] of oldStates) {
    if (!freshStates.has(key) && stillNeeded.has(key)) {
      files.push(old);
      freshStates.set(key, old);
    }
  }
  files.sort((a, b) => {
    const x = trustedPinKey(a);
    const y = trustedPinKey(b);
    return a.path < b.path ? -1 : a.path > b.path ? 1 : x < y ? -1 : x > y ? 1 : 0;
  });

  const complete = ids.every((id) => commands[id]?.digest === digests.byId.get(id));
  const keepText = !complete && kept?.policyText !== undefined;
  const record: TrustRecord = {
    version: 3,
    policyPath: file.realPath,
    policySha256: file.sha256,
    complete,
    trustedAt: new Date().toISOString(),
    ...(keepText
      ? { policyText: kept.policyText }
      : file.text.length <= maxTrustedTextLength
        ? { policyText: file.text }
        : {}),
    commands,
    shared,
    files,
  };
  await writeTrustRecord(configDir, record);
  return record;
}

/** How the pins with these keys (all of the record's pins when undefined) differ from now. */
async function changedPins(
  record: TrustRecord,
  keys: ReadonlySet<string> | undefined,
): Promise<TrustChange[]> {
  const files = record.files.filter(
    (entry) => keys === undefined || keys.has(trustedPinKey(entry)),
  );
  const now = await Promise.all(files.map(snapshotLike));
  // A program in a path: folder is pinned alone and in its folder's programs: named once.
  const seen = new Set<string>();
  return files
    .flatMap((trusted, index) => compare(trusted, now[index] as TrustedFile))
    .filter((change) => {
      const key = `${change.path}\0${change.reason}\0${change.part ?? ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * Checks the policy at `policyPath` against what {@link trust} recorded:
 * `trusted` when the policy and every pinned path are as they were,
 * `untrusted` when it was never trusted (at this real path), `changed` with
 * the paths that differ otherwise. Without `command`, the whole file must be
 * byte for byte what was trusted, and no policy parse is needed. With
 * `command`, only that command's inputs count: its entry and everything
 * outside `commands` (compared by digest of the parsed YAML, so another
 * command's edit leaves it trusted), the files it pins and the shared pins.
 * Throws {@link PolicyError} `READ_FAILED` when the policy cannot be read,
 * `TRUST_STORE` when the store is unreadable, damaged, or inside the project.
 *
 * @example
 * const check = await checkTrust('ironrun.yml', { command: 'test' });
 * if (check.status !== 'trusted') throw new Error('review the policy, then run ironrun trust');
 */
export async function checkTrust(
  policyFile: string | PolicyFile,
  options: CheckTrustOptions = {},
): Promise<TrustCheck> {
  const file = typeof policyFile === 'string' ? await readPolicyFile(policyFile) : policyFile;
  const configDir = await storeOutside(dirname(file.realPath), options.configDir);
  const record = await readTrustRecord(configDir, file.realPath);
  if (record === undefined) return { status: 'untrusted' };
  const fileSha256 = file.sha256;
  const sameBytes = fileSha256 === record.policySha256;
  const id = options.command;
  if (id === undefined || record.version === 2) {
    // The whole file: every byte and every pin (a version 2 record knows no commands).
    const changed: TrustChange[] = [];
    if (!sameBytes || record.complete === false)
      changed.push({ path: file.realPath, reason: 'modified' });
    changed.push(...(await changedPins(record, undefined)));
    return changed.length === 0
      ? {
          status: 'trusted',
          policySha256: record.policySha256,
          verified: verifiedPins(record, undefined),
          programs: trustedPrograms(record, undefined),
        }
      : { status: 'changed', changed };
  }
  const trusted = Object.hasOwn(record.commands ?? {}, id) ? record.commands?.[id] : undefined;
  if (trusted === undefined && sameBytes && record.complete === true) {
    // The file is every byte as trusted and has no such command: trusted as
    // a whole, and the caller reports the unknown id.
    return checkTrust(
      file,
      options.configDir === undefined ? {} : { configDir: options.configDir },
    );
  }
  if (trusted === undefined) {
    // Never trusted at all, or a command added (or renamed) since.
    return { status: 'changed', changed: [{ path: file.realPath, reason: 'added', command: id }] };
  }
  const entryUnchanged =
    (sameBytes && record.complete === true) ||
    commandDigests(file.text)?.byId.get(id) === trusted.digest;
  const changed: TrustChange[] = entryUnchanged
    ? []
    : [{ path: file.realPath, reason: 'modified', command: id }];
  const keys = new Set([...trusted.paths, ...(record.shared ?? [])]);
  changed.push(...(await changedPins(record, keys)));
  return changed.length === 0
    ? {
        status: 'trusted',
        policySha256: fileSha256,
        verified: verifiedPins(record, keys),
        programs: trustedPrograms(record, id),
      }
    : { status: 'changed', changed };
}
