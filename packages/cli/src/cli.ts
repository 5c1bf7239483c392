#!/usr/bin/env node
const args = process.argv.slice(2);
// `ironrun guard` runs before every tool call of the agent: it skips the
// command table and loads only the self-contained guard, through dist/guard.js
// (src/guard-esm.ts), which loads dist/guard.cjs (src/guard.ts) and fails closed.
if (args[0] === 'guard' && !args.some((arg) => arg === '--help' || arg === '-h')) {
  await import(new URL('./guard.js', import.meta.url).href).catch(() => {
    process.stderr.write(
      'ironrun guard: could not load. The tool call is denied (the guard fails closed).\n',
    );
    process.exit(2);
  });
} else {
  // `ironrun run` loads one file, dist/run.cjs (src/run-fast.ts with core and the packages it
  // runs, built on its own, see src/run-bundle.ts), instead of the command table; it hands
  // back any command line it does not take as it is.
  // `ironrun agent` likewise loads dist/agent.cjs (src/agent-fast.ts), with its own code cache.
  let fast: number | undefined;
  if (args[0] === 'run' || args[0] === 'agent') {
    const { loadAgentBundle, loadRunBundle } = await import('./run-bundle.js');
    const dist = process.getBuiltinModule('node:url').fileURLToPath(new URL('.', import.meta.url));
    fast = await (args[0] === 'run'
      ? loadRunBundle(dist).runFast(args)
      : loadAgentBundle(dist).agentFast(args));
  }
  if (fast !== undefined) process.exitCode = fast;
  else {
    const { runCli } = await import('./main.js');
    process.exitCode = await runCli(args);
  }
}
