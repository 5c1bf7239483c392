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
// what it holds. It carries a copy of the source it was made from (the file in its wrapper),
// compared byte for byte before V8 gets the cache, so a bundle changed since (a hand-patched
// node_modules) compiles from its own bytes and never runs code cached from other ones. A
// copy, not a digest: comparing it costs a fraction of a millisecond, where hashing the file
// needs node:crypto, whose loading alone costs milliseconds on every start. V8 rejects a
// cache made by another version of V8 or with other flags; the file is then compiled as if
// there were none.
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
  /** The compiled source (the file in its wrapper), as the cache carries it. */
  source: Buffer;
  /** `undefined`: no cache for these bytes; `false`: V8 used it; `true`: V8 refused it. */
  cacheRejected: boolean | undefined;
  /** Runs the file and returns its exports. */
  run(): Exports;
}

const magic = 'IRC2';
// The magic, then the length of the source copy (4 bytes, little-endian).
const headerBytes = magic.length + 4;
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
    module: process.getBuiltinModule('node:module'),
  };
}

/** The code cache file of `file`: beside it. */
export function runBundleCachePath(file: string): string {
  return `${file}.cache`;
}

/**
 * A cache file's V8 data, when its header is ours and the source it carries is exactly
 * `parts` (the wrapper's head, the file, the wrapper's tail), byte for byte.
 */
function cachedDataFor(cache: Buffer | undefined, parts: readonly Buffer[]): Buffer | undefined {
  if (cache === undefined || cache.length <= headerBytes) return undefined;
  if (cache.toString('latin1', 0, magic.length) !== magic) return undefined;
  const length = cache.readUInt32LE(magic.length);
  let at = headerBytes;
  if (length !== parts.reduce((sum, part) => sum + part.length, 0)) return undefined;
  if (cache.length <= at + length) return undefined;
  for (const part of parts) {
    if (!cache.subarray(at, at + part.length).equals(part)) return undefined;
    at += part.length;
  }
  return cache.subarray(at);
}

/**
 * Compiles `file` (dist/run.cjs or dist/agent.cjs) as CommonJS with its code cache, if one
 * made from these bytes is beside it.
 */
export function compileRunBundle<Exports = RunBundle>(file: string): CompiledRunBundle<Exports> {
  const { fs, vm, path, module } = builtins();
  const bytes = fs.readFileSync(file);
  const parts = [Buffer.from(wrapperHead), bytes, Buffer.from(wrapperTail)];
  let cache: Buffer | undefined;
  try {
    cache = fs.readFileSync(runBundleCachePath(file));
  } catch {
    // no cache: compiled from the source alone
  }
  const cachedData = cachedDataFor(cache, parts);
  const script = new vm.Script(`${wrapperHead}${bytes.toString('utf8')}${wrapperTail}`, {
    filename: file,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  return {
    script,
    get source() {
      return Buffer.concat(parts);
    },
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

/** The bytes of a code cache file for `compiled`: the header, the source, then V8's data. */
export function runBundleCache(compiled: CompiledRunBundle<unknown>): Buffer {
  const source = compiled.source;
  const header = Buffer.alloc(headerBytes);
  header.write(magic, 0, 'latin1');
  header.writeUInt32LE(source.length, magic.length);
  return Buffer.concat([header, source, compiled.script.createCachedData()]);
}

/** Loads dist/run.cjs from `dir` (see {@link compileRunBundle}). */
export function loadRunBundle(dir: string): RunBundle {
  return compileRunBundle<RunBundle>(builtins().path.join(dir, 'run.cjs')).run();
}

/** Loads dist/agent.cjs from `dir` (see {@link compileRunBundle}). */
export function loadAgentBundle(dir: string): AgentBundle {
  return compileRunBundle<AgentBundle>(builtins().path.join(dir, 'agent.cjs')).run();
}
