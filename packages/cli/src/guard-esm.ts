#!/usr/bin/env node
// dist/guard.js: the hook entry `init` registered before dist/guard.cjs, kept so that
// settings files written then still work (`init` run again rewrites them to the `.cjs`
// entry). It only loads dist/guard.cjs, the one copy of the guard, and fails closed:
// a missing or broken guard.cjs, or a Node without `process.getBuiltinModule` (< 20.16),
// exits 2, which blocks the tool call.
try {
  process.getBuiltinModule('node:module').createRequire(import.meta.url)('./guard.cjs');
} catch {
  process.stderr.write(
    'ironrun guard: could not load dist/guard.cjs (is @ironrun/cli installed completely?). The tool call is denied (the guard fails closed).\n',
  );
  process.exit(2);
}
