#!/usr/bin/env node
const args = process.argv.slice(2);
// `ironrun guard` runs before every tool call of the agent: it skips the
// command table and loads only the self-contained guard, dist/guard.js
// (src/guard.ts, built on its own), which fails closed.
if (args[0] === 'guard' && !args.some((arg) => arg === '--help' || arg === '-h')) {
  await import(new URL('./guard.js', import.meta.url).href);
} else {
  const { runCli } = await import('./main.js');
  process.exitCode = await runCli(args);
}
