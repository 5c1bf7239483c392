#!/usr/bin/env node
const args = process.argv.slice(2);
// `ironrun guard` runs before every tool call of the agent: it skips the
// command table and loads only the self-contained guard, dist/guard.cjs
// (src/guard.ts, built on its own as CommonJS), which fails closed.
if (args[0] === 'guard' && !args.some((arg) => arg === '--help' || arg === '-h')) {
  try {
    process.getBuiltinModule('node:module').createRequire(import.meta.url)('./guard.cjs');
  } catch {
    process.stderr.write(
      'ironrun guard: could not load dist/guard.cjs (is @ironrun/cli installed completely?). The tool call is denied (the guard fails closed).\n',
    );
    process.exit(2);
  }
} else {
  const { runCli } = await import('./main.js');
  process.exitCode = await runCli(args);
}
