import type { Script } from 'node:vm';

// Loads dist/run.cjs, the single file of `ironrun run` (src/run-fast.ts and the packages it
// runs, built as CommonJS: see tsup.config.ts), and dist/agent.cjs, that of `ironrun agent`
// (src/agent-fast.ts), each with a V8 code cache when one made for these exact bytes is
// there. Compiling the file and the functions a run calls is most of what loading it costs;
// the cache holds them compiled (bench/run-overhead.bench.mjs, bench/agent.bench.mjs).
//
// The cache is code: V8 runs what it holds without checking it against the source (it checks
// only the source's length). So it is read only from beside its file, where only the same
// hands that could rewrite the file can write, and it is written only by the build
// (scripts/train-run-cache.mjs, scripts/train-agent-cache.mjs), never when ironrun runs:
// nothing from the environment, the project or the config folder decides where it is read or
// what it holds. Its header carries the SHA-256 of the source it was made from, so a bundle
// changed since (a hand-patched node_modules) compiles from its own bytes and never runs code
// cached from other ones. V8 rejects a cache made by another version of V8 or with other
// flags; the file is then compiled as if there were none.
//
// Built-ins come from `process.getBuiltinModule` (Node >= 20.16; engines asks for 20.19):
// no static import, so `ironrun guard` and `--version`, which share the bin with this file,
// load none of them, and no ES facade of a built-in is made (`import … from 'node:fs'`
// builds one that loads the whole stream stack).

/** What dist/run.cjs exports. */
export interface RunBundle {
  runFast(argv: readonly string[]): Promise<number | undefined>;
}

/** What dist/agent.cjs exports. */
export interface AgentBundle {
  agentFast(argv: readonly string[]): Promise<number | undefined>;
}

/** The file as compiled, and what became of its code cache. */
export interface CompiledRunBundle<Exports = RunBundle> {
  /** The compiled file (its `createCachedData()` is what the build stores). */
  script: Script;
  /** The SHA-256 of the compiled source, as the cache header carries it. */
  digest: Buffer;
  /** `undefined`: no cache for these bytes; `false`: V8 used it; `true`: V8 refused it. */
  cacheRejected: boolean | undefined;
  /** Runs the file and returns its exports. */
  run(): Exports;
}

const magic = 'IRC1';
const headerBytes = magic.length + 32;
// The one CommonJS wrapper, with a seventh parameter: `import()` of this ES module, since
// code compiled by `vm` has no dynamic import of its own without an experimental option
// (which prints a warning). The bundle calls it for a provider package (tsup.config.ts).
const wrapperHead =
  '(function (exports, require, module, __filename, __dirname, __ironrunImport) {';
const wrapperTail = '\n})';

function builtins() {
  return {
    fs: process.getBuiltinModule('node:fs'),
    vm: process.getBuiltinModule('node:vm'),
    path: process.getBuiltinModule('node:path'),
    crypto: process.getBuiltinModule('node:crypto'),
    module: process.getBuiltinModule('node:module'),
  };
}

/** The code cache file of `file`: beside it. */
export function runBundleCachePath(file: string): string {
  return `${file}.cache`;
}

/** A cache file's V8 data, when its header is ours and names exactly `digest`. */
function cachedDataFor(cache: Buffer | undefined, digest: Buffer): Buffer | undefined {
  if (cache === undefined || cache.length <= headerBytes) return undefined;
  if (cache.toString('latin1', 0, magic.length) !== magic) return undefined;
  if (!cache.subarray(magic.length, headerBytes).equals(digest)) return undefined;
  return cache.subarray(headerBytes);
}

/**
 * Compiles `file` (dist/run.cjs or dist/agent.cjs) as CommonJS with its code cache, if one
 * made from these bytes is beside it.
 */
export function compileRunBundle<Exports = RunBundle>(file: string): CompiledRunBundle<Exports> {
  const { fs, vm, path, crypto, module } = builtins();
  const source = `${wrapperHead}${fs.readFileSync(file, 'utf8')}${wrapperTail}`;
  const digest = crypto.createHash('sha256').update(source).digest();
  let cache: Buffer | undefined;
  try {
    cache = fs.readFileSync(runBundleCachePath(file));
  } catch {
    // no cache: compiled from the source alone
  }
  const cachedData = cachedDataFor(cache, digest);
  const script = new vm.Script(source, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  return {
    script,
    digest,
    cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected === true,
    run() {
      const exports = {};
      const holder = { exports };
      const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
      wrapper(
        exports,
        module.createRequire(file),
        holder,
        file,
        path.dirname(file),
        (specifier: string) => import(specifier),
      );
      return holder.exports as Exports;
    },
  };
}

/** The bytes of a code cache file for `compiled`: the header, then V8's data. */
export function runBundleCache(compiled: CompiledRunBundle<unknown>): Buffer {
  return Buffer.concat([
    Buffer.from(magic, 'latin1'),
    compiled.digest,
    compiled.script.createCachedData(),
  ]);
}

/** Loads dist/run.cjs from `dir` (see {@link compileRunBundle}). */
export function loadRunBundle(dir: string): RunBundle {
  return compileRunBundle<RunBundle>(builtins().path.join(dir, 'run.cjs')).run();
}

/** Loads dist/agent.cjs from `dir` (see {@link compileRunBundle}). */
export function loadAgentBundle(dir: string): AgentBundle {
  return compileRunBundle<AgentBundle>(builtins().path.join(dir, 'agent.cjs')).run();
}
