import { build } from 'tsup';
import { packageBuild } from '../../tsup.base.ts';

// The library (`runCli`, ...), `./namespace-init` (the sandbox's namespace init alone, which
// the single-file binary checks before it loads the CLI) and the `ironrun` bin, whose
// `#!/usr/bin/env node` line esbuild keeps from src/cli.ts. Splitting keeps
// each command in its own chunk, so a command loads only what it needs.
//
// Then the guard hook, dist/guard.js, as one self-contained file: Claude
// Code runs it before every tool call, and reading one file instead of a
// chain of chunks is measurably faster (`pnpm bench`). It loads no citty,
// no MCP or vault SDK and not the validating policy reader; `yaml` only
// when its cache misses.
export default packageBuild({
  entry: ['src/index.ts', 'src/cli.ts', 'src/namespace-init.ts'],
  splitting: true,
  async onSuccess() {
    await build({
      entry: ['src/guard.ts'],
      format: ['esm'],
      target: 'node20',
      platform: 'node',
      outDir: 'dist',
      splitting: false,
      // Less to parse on every call; the source map keeps stack traces readable.
      minify: true,
      sourcemap: true,
      clean: false,
      dts: false,
      silent: true,
      config: false,
      // The one containment check and config folder rule (core's `./paths`, policy's two small
      // entries) are bundled in, so the hook still loads no package on a cache hit; core
      // itself stays external, imported only on a cache miss.
      noExternal: [/^@ironrun\/core\/paths$/, /^@ironrun\/policy\/(?:project-path|config-dir)$/],
    });
  },
});
