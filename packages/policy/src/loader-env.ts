import { listedEnvReason } from './env-name.js';

/**
 * Environment variables that a program's own ecosystem turns into code
 * loading: package-manager settings that become interpreter options,
 * interpreter search paths and start-up hooks, and the settings through
 * which git, the JVM, Ruby, Perl and the C toolchain run a program or load a
 * file the agent can write. A policy may set one only when the command lists
 * the name under `allow_loader_env`, which the trust review shows flagged.
 *
 * The names that are never settable (NODE_OPTIONS, LD_*, BASH_ENV, …) are in
 * `env-name.ts`; this list is the second tier, refused by default.
 *
 * Sources (read 2026-12; each entry names the one it came from):
 * - npm: docs.npmjs.com/cli/using-npm/config "Environment Variables": any
 *   `npm_config_*` variable (any case) sets the config key, including
 *   `node-options`, `script-shell`, `userconfig`, `globalconfig`, `prefix`
 *   and `registry`. pnpm reads the same `npm_config_*` names
 *   (pnpm.io/npmrc) and its own `pnpm_config_*`.
 * - yarn: yarnpkg.com/configuration/yarnrc: every yarnrc setting can be set
 *   as `YARN_<SETTING>` (`YARN_YARN_PATH` runs a JS file as yarn,
 *   `YARN_PLUGINS`, `YARN_RC_FILENAME`).
 * - Node: nodejs.org/api/cli.html "Environment variables": `NODE_PATH`,
 *   `NODE_REPL_EXTERNAL_MODULE`, `NODE_COMPILE_CACHE` (a cache of compiled
 *   code that is read back).
 * - Python: docs.python.org/3/using/cmdline.html "Environment variables":
 *   `PYTHONPATH`, `PYTHONHOME`, `PYTHONSTARTUP`, `PYTHONUSERBASE` (user site
 *   folder, whose `.pth` files run code), `PYTHONPLATLIBDIR`,
 *   `PYTHONBREAKPOINT` (imports a module), `PYTHONWARNINGS` (a filter's
 *   category is imported by name), `PYTHONPYCACHEPREFIX` (where bytecode is
 *   read from), `PYTHONEXECUTABLE`, `PYTHONCASEOK`, `PYTHONINSPECT`; pip:
 *   pip.pypa.io/en/stable/topics/configuration: every option as `PIP_*`
 *   (`PIP_INDEX_URL`, `PIP_CONFIG_FILE`).
 * - Ruby: ruby-doc.org `ruby --help`/man ruby "ENVIRONMENT": `RUBYLIB`,
 *   `RUBYLIB_PREFIX`, `RUBYSHELL`; RubyGems/Bundler docs: `GEM_HOME`,
 *   `GEM_PATH`, `BUNDLE_GEMFILE` (a Gemfile is Ruby code).
 * - Perl: perldoc perlrun "ENVIRONMENT": `PERL5LIB`, `PERLLIB`, `PERL5DB`,
 *   `PERL5SHELL`.
 * - JVM: docs.oracle.com/en/java/javase/21/docs/specs/man/java.html
 *   (`JDK_JAVA_OPTIONS`, `CLASSPATH`); Gradle docs
 *   (docs.gradle.org "Build Environment": `GRADLE_OPTS`, `GRADLE_USER_HOME`
 *   whose `init.d` scripts run), Maven (`MAVEN_OPTS`, `MAVEN_ARGS`), and the
 *   `JAVA_OPTS`/`JAVA_HOME` convention of launcher scripts (which java runs).
 * - git: git-scm.com/docs/git "ENVIRONMENT VARIABLES" and
 *   git-scm.com/docs/git-config "ENVIRONMENT": `GIT_CONFIG_COUNT`,
 *   `GIT_CONFIG_KEY_<n>`, `GIT_CONFIG_VALUE_<n>`, `GIT_CONFIG_PARAMETERS`,
 *   `GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM`, `GIT_CONFIG`, `GIT_EXEC_PATH`,
 *   `GIT_SSH`, `GIT_SSH_COMMAND`, `GIT_ASKPASS`, `SSH_ASKPASS`,
 *   `GIT_EDITOR`, `GIT_SEQUENCE_EDITOR`, `GIT_PAGER`, `GIT_EXTERNAL_DIFF`,
 *   `GIT_PROXY_COMMAND`, `GIT_TEMPLATE_DIR` (hooks copied into new
 *   repositories), `GIT_DIR`/`GIT_COMMON_DIR`/`GIT_WORK_TREE` (a repository
 *   whose config sets `core.fsmonitor` or hooks runs them).
 * - Shells: bash(1) "INVOCATION" and zsh(1) "STARTUP/SHUTDOWN FILES":
 *   `ZDOTDIR`, `PROMPT_COMMAND`, `SHELL` (the shell many tools start).
 *   Config homes that decide which start-up file is read (`~/.gitconfig`,
 *   `~/.npmrc`, `~/.bashrc`): `HOME`, `XDG_CONFIG_HOME`.
 * - OpenSSL: docs.openssl.org config(5) and provider(7): `OPENSSL_CONF`
 *   (loads engines/providers), `OPENSSL_ENGINES`, `OPENSSL_MODULES`.
 * - Toolchains: go.dev/ref/mod and `go help environment` (`GOFLAGS`, e.g.
 *   `-toolexec`; `GOENV`; `GOTOOLCHAIN`, which downloads a toolchain);
 *   doc.rust-lang.org/cargo/reference/environment-variables.html
 *   (`RUSTC_WRAPPER`, `RUSTC`, `RUSTFLAGS` with `-C linker=`, `CARGO_HOME`);
 *   make/autotools `CC`, `CXX`.
 * - .NET: learn.microsoft.com "DOTNET_STARTUP_HOOKS" and the CLR profiler
 *   variables (`CORECLR_PROFILER_PATH`, `CORECLR_ENABLE_PROFILING`).
 * - Lua: lua.org/manual/5.4 §7 (`LUA_INIT` runs code, `LUA_PATH`,
 *   `LUA_CPATH`); PHP: php.net "php.ini" (`PHPRC`, `PHP_INI_SCAN_DIR`, whose
 *   `auto_prepend_file` runs code).
 */
const loaderNames: ReadonlyMap<string, string> = new Map<string, string>([
  // Node and its package managers
  ['NODE_PATH', 'node looks modules up in these folders'],
  ['NODE_REPL_EXTERNAL_MODULE', 'node loads this module instead of its REPL'],
  ['NODE_COMPILE_CACHE', 'node reads compiled code back from this folder'],
  // Python
  ['PYTHONPATH', 'python imports modules from these folders first'],
  ['PYTHONHOME', 'python loads its standard library from this folder'],
  ['PYTHONSTARTUP', 'python runs this file on interactive start'],
  ['PYTHONUSERBASE', 'python runs the .pth files of this user site folder'],
  ['PYTHONPLATLIBDIR', 'python loads its platform library from this folder'],
  ['PYTHONBREAKPOINT', 'python imports the module this names'],
  ['PYTHONWARNINGS', 'python imports the warning category a filter names'],
  ['PYTHONPYCACHEPREFIX', 'python reads bytecode from this folder'],
  ['PYTHONEXECUTABLE', 'it changes which python the program re-executes'],
  ['PYTHONCASEOK', 'python imports modules ignoring case, so other files shadow them'],
  ['PYTHONINSPECT', 'python turns interactive after the script, running PYTHONSTARTUP'],
  // Ruby
  ['RUBYLIB', 'ruby loads libraries from these folders first'],
  ['RUBYLIB_PREFIX', 'it rewrites the folders ruby loads libraries from'],
  ['RUBYSHELL', 'ruby runs shell commands with this program'],
  ['GEM_HOME', 'ruby loads gems from this folder'],
  ['GEM_PATH', 'ruby loads gems from these folders'],
  ['BUNDLE_GEMFILE', 'bundler runs this Gemfile, which is Ruby code'],
  // Perl
  ['PERL5LIB', 'perl loads modules from these folders first'],
  ['PERLLIB', 'perl loads modules from these folders first'],
  ['PERL5DB', 'perl runs this code as its debugger'],
  ['PERL5SHELL', 'perl runs shell commands with this program'],
  // The JVM and its build tools
  ['JDK_JAVA_OPTIONS', 'the java launcher adds these options (agents, class path)'],
  ['CLASSPATH', 'the JVM loads classes from these paths'],
  ['JAVA_OPTS', 'launcher scripts pass these options to the JVM'],
  ['JAVA_HOME', 'launcher scripts run the java found in this folder'],
  ['GRADLE_OPTS', 'gradle passes these options to its JVM'],
  ['GRADLE_USER_HOME', 'gradle runs the init scripts of this folder'],
  ['MAVEN_OPTS', 'maven passes these options to its JVM'],
  ['MAVEN_ARGS', 'maven adds these arguments (extensions, settings)'],
  ['SBT_OPTS', 'sbt passes these options to its JVM'],
  // git
  [
    'GIT_CONFIG_COUNT',
    'git reads configuration (core.fsmonitor, aliases, hooks) from the environment',
  ],
  ['GIT_CONFIG_PARAMETERS', 'git reads configuration from the environment'],
  ['GIT_CONFIG_GLOBAL', 'git reads this file as its global configuration'],
  ['GIT_CONFIG_SYSTEM', 'git reads this file as its system configuration'],
  ['GIT_CONFIG', 'git reads this file as its configuration'],
  ['GIT_EXEC_PATH', 'git runs its subcommands from this folder'],
  ['GIT_SSH', 'git runs this program to connect'],
  ['GIT_SSH_COMMAND', 'git runs this command to connect'],
  ['GIT_ASKPASS', 'git runs this program to ask for credentials'],
  ['SSH_ASKPASS', 'ssh runs this program to ask for credentials'],
  ['GIT_EDITOR', 'git runs this command as its editor'],
  ['GIT_SEQUENCE_EDITOR', 'git runs this command as its editor'],
  ['GIT_PAGER', 'git runs this command as its pager'],
  ['GIT_EXTERNAL_DIFF', 'git runs this program to show diffs'],
  ['GIT_PROXY_COMMAND', 'git runs this command to connect'],
  ['GIT_TEMPLATE_DIR', 'git copies hooks from this folder into new repositories'],
  ['GIT_DIR', 'git uses this repository, whose configuration can run programs'],
  ['GIT_COMMON_DIR', 'git uses this repository, whose configuration can run programs'],
  ['GIT_WORK_TREE', 'git uses this work tree with a repository it names'],
  // Shells and configuration homes
  ['ZDOTDIR', 'zsh runs the start-up files of this folder'],
  ['PROMPT_COMMAND', 'bash runs this before each prompt'],
  ['SHELL', 'many tools run this program as their shell'],
  ['HOME', 'it decides which start-up files (~/.gitconfig, ~/.npmrc, ~/.bashrc) are read'],
  ['XDG_CONFIG_HOME', 'it decides which configuration files (git, pip, …) are read'],
  // OpenSSL
  ['OPENSSL_CONF', 'OpenSSL loads engines and providers this file names'],
  ['OPENSSL_ENGINES', 'OpenSSL loads engines from this folder'],
  ['OPENSSL_MODULES', 'OpenSSL loads providers from this folder'],
  // Toolchains
  ['GOFLAGS', 'go adds these flags (-toolexec runs a program)'],
  ['GOENV', 'go reads its settings from this file'],
  ['GOTOOLCHAIN', 'go downloads and runs the toolchain this names'],
  ['RUSTC_WRAPPER', 'cargo runs this program around rustc'],
  ['RUSTC', 'cargo runs this program as the compiler'],
  ['RUSTFLAGS', 'rustc adds these flags (-C linker= runs a program)'],
  ['CARGO_HOME', 'cargo reads configuration from this folder'],
  ['CC', 'build tools run this program as the C compiler'],
  ['CXX', 'build tools run this program as the C++ compiler'],
  // .NET
  ['DOTNET_STARTUP_HOOKS', '.NET loads these assemblies before the program'],
  ['CORECLR_PROFILER_PATH', '.NET loads this profiler library'],
  ['CORECLR_ENABLE_PROFILING', '.NET loads a profiler library'],
  // Lua and PHP
  ['LUA_INIT', 'lua runs this code (or file) on start'],
  ['LUA_PATH', 'lua loads modules from these paths'],
  ['LUA_CPATH', 'lua loads native modules from these paths'],
  ['PHPRC', 'php reads this php.ini, which can prepend code'],
  ['PHP_INI_SCAN_DIR', 'php reads the ini files of this folder, which can prepend code'],
]);

const loaderPrefixes: readonly [string, string][] = [
  [
    'NPM_CONFIG_',
    'npm and pnpm read npm_config_* as configuration (node-options, script-shell, userconfig, registry)',
  ],
  ['PNPM_CONFIG_', 'pnpm reads pnpm_config_* as configuration'],
  ['YARN_', 'yarn reads YARN_* as configuration (YARN_YARN_PATH runs a file as yarn, plugins)'],
  ['PIP_', 'pip reads PIP_* as configuration (index, config file), which installs code'],
  ['GIT_CONFIG_KEY_', 'git reads configuration from the environment'],
  ['GIT_CONFIG_VALUE_', 'git reads configuration from the environment'],
];

/**
 * Why setting `name` makes the child load code the policy does not name, or
 * `undefined` when it does not. Compared without case (npm reads
 * `npm_config_*` in any case; Windows ignores case). A command may still set
 * such a name when it lists it under `allow_loader_env`.
 *
 * @example
 * loaderEnvReason('npm_config_node_options') // 'npm and pnpm read npm_config_* …'
 */
export function loaderEnvReason(name: string): string | undefined {
  return listedEnvReason(loaderNames, loaderPrefixes, name);
}
