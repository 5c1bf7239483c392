import { packageBuild } from '../../tsup.base.ts';

// Two entries: the library (`runCli`, ...) and the `ironrun` bin, whose
// `#!/usr/bin/env node` line esbuild keeps from src/cli.ts. Splitting keeps
// each command in its own chunk, so `ironrun guard` (run before every Bash
// call of the agent) loads neither the MCP SDK nor a vault SDK.
export default packageBuild({
  entry: ['src/index.ts', 'src/cli.ts'],
  splitting: true,
});
