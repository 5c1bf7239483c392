#!/usr/bin/env node
// The `ironrun` bin (package.json `bin`: dist/cli.cjs), as CommonJS: Node starts a CommonJS
// entry without its ES module loader, which an ES entry such as dist/cli.js sets up on every
// start, a few milliseconds each time (bench/run-overhead.bench.mjs). `ironrun run` and
// `ironrun agent` load their one file from here (src/run-bundle.ts is bundled into this file);
// a command line their fast path hands back goes to the command table (dist/main.js), and
// every other one to dist/cli.js, the ES entry, which handles it as it always has (the guard
// and its fail-closed load included). Nothing here reads the environment or the project.
import { loadAgentBundle, loadRunBundle } from './run-bundle.js';

/** `import()` of a file of dist/, by URL: esbuild leaves it as it is, unbundled. */
function importFromDist(file: string): Promise<unknown> {
  const { pathToFileURL } = process.getBuiltinModule('node:url');
  const { join } = process.getBuiltinModule('node:path');
  return import(pathToFileURL(join(__dirname, file)).href);
}

async function main(args: readonly string[]): Promise<void> {
  if (args[0] !== 'run' && args[0] !== 'agent') {
    if (args[0] === 'guard' && !args.some((arg) => arg === '--help' || arg === '-h')) {
      // A hook that exits 1 lets the tool call through; where the entry cannot load (a broken
      // or half-copied install), the guard fails closed here as dist/cli.js does for guard.js.
      await importFromDist('cli.js').catch(() => {
        process.stderr.write(
          'ironrun guard: could not load. The tool call is denied (the guard fails closed).\n',
        );
        process.exit(2);
      });
      return;
    }
    await importFromDist('cli.js');
    return;
  }
  const fast = await (args[0] === 'run'
    ? loadRunBundle(__dirname).runFast(args)
    : loadAgentBundle(__dirname).agentFast(args));
  if (fast !== undefined) {
    process.exitCode = fast;
    return;
  }
  const { runCli } = (await importFromDist('main.js')) as {
    runCli(argv: readonly string[]): Promise<number>;
  };
  process.exitCode = await runCli(args);
}

void main(process.argv.slice(2));
