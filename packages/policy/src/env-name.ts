/** A portable environment variable name: a letter or `_`, then letters, digits or `_`. */
export const envNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;

/**
 * Names a policy may not set, because each changes which code the child runs
 * (or how), around the allowlist: the dynamic loader, interpreter start-up
 * hooks, shell start-up files. `PATH` comes only from the command's `path:`.
 * Compared without case, since Windows ignores case in names.
 */
const forbiddenNames: ReadonlyMap<string, string> = new Map([
  ['PATH', 'PATH comes only from the command\'s "path:" key'],
  ['NODE_OPTIONS', 'it makes node load code before the command runs'],
  ['BASH_ENV', 'it makes bash run a file before the command'],
  ['ENV', 'it makes sh run a file before the command'],
  ['SHELLOPTS', 'it changes how every bash the command starts behaves'],
  ['BASHOPTS', 'it changes how every bash the command starts behaves'],
  ['PS4', 'with xtrace it runs code in every bash the command starts'],
  ['PERL5OPT', 'it makes perl load code before the command runs'],
  ['RUBYOPT', 'it makes ruby load code before the command runs'],
  ['JAVA_TOOL_OPTIONS', 'it makes the JVM load agents before the command runs'],
  ['_JAVA_OPTIONS', 'it makes the JVM load agents before the command runs'],
  ['GCONV_PATH', 'it makes the C library load code from a chosen folder'],
]);

const forbiddenPrefixes: readonly [string, string][] = [
  [
    'LD_',
    'LD_* variables make the dynamic loader inject or redirect code (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT)',
  ],
  ['DYLD_', 'DYLD_* variables make the macOS loader inject or redirect code'],
];

/**
 * Why `name` may not be set by a policy, or `undefined` when it may.
 *
 * @example
 * forbiddenEnvReason('LD_PRELOAD') // 'LD_* variables make the dynamic loader …'
 */
export function forbiddenEnvReason(name: string): string | undefined {
  return listedEnvReason(forbiddenNames, forbiddenPrefixes, name);
}

/**
 * The reason a list gives for `name`: its entry by exact name, else the
 * first prefix it starts with; compared upper-cased, since programs read
 * some of these names in any case and Windows ignores case.
 */
export function listedEnvReason(
  names: ReadonlyMap<string, string>,
  prefixes: readonly (readonly [string, string])[],
  name: string,
): string | undefined {
  const upper = name.toUpperCase();
  const exact = names.get(upper);
  if (exact !== undefined) return exact;
  for (const [prefix, reason] of prefixes) if (upper.startsWith(prefix)) return reason;
  return undefined;
}
