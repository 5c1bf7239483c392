import { readFileSync } from 'node:fs';
import { build } from 'tsup';

import { packageBuild } from '../../tsup.base.ts';

// The library (`runCli`, ...), `./namespace-init` (the sandbox's namespace init alone, which
// the single-file binary checks before it loads the CLI) and the `ironrun` bin, whose
// `#!/usr/bin/env node` line esbuild keeps from src/cli.ts. Splitting keeps
// each command in its own chunk, so a command loads only what it needs.
//
// Then the guard hook, dist/guard.cjs, as one self-contained CommonJS file: Claude Code,
// Cursor and Gemini CLI run it before every tool call. One file instead of a chain of
// chunks, and CommonJS instead of an ES module, because both start measurably faster
// (`pnpm bench`; empty files start at 0.91× `node -e 0` as CommonJS, 1.06× as ES). It
// loads no citty, no MCP or vault SDK and not the validating policy reader; `yaml` and
// core only when its cache misses. In CommonJS, `require('node:fs')` hands over the
// built-in itself (an ES `import` of it builds a facade that reads every export, streams
// included), so the built-ins are plain `require`s. dist/guard.js, the entry `init` wrote
// before, is kept as a few lines that load dist/guard.cjs.
const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as { version: string };

export default packageBuild({
  entry: ['src/index.ts', 'src/cli.ts', 'src/namespace-init.ts'],
  splitting: true,
  async onSuccess() {
    // The guard itself: dist/guard.cjs.
    await build({
      entry: { guard: 'src/guard.ts' },
      format: ['cjs'],
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
      define: { __IRONRUN_CLI_VERSION__: JSON.stringify(version) },
      // The one containment check and config folder rule (core's `./paths`, policy's two small
      // entries) are bundled in, so the hook still loads no package on a cache hit; core
      // itself stays external, imported only on a cache miss.
      noExternal: [/^@ironrun\/core\/paths$/, /^@ironrun\/policy\/(?:project-path|config-dir)$/],
      esbuildOptions(options) {
        // `import()` of core and yaml stays an `import()`: both are ES modules.
        options.supported = { ...options.supported, 'dynamic-import': true };
      },
      removeNodeProtocol: false,
    });
    // dist/guard.js, the entry older settings files name: it loads dist/guard.cjs.
    await build({
      entry: { guard: 'src/guard-esm.ts' },
      format: ['esm'],
      target: 'node20',
      platform: 'node',
      outDir: 'dist',
      splitting: false,
      minify: false,
      sourcemap: false,
      clean: false,
      dts: false,
      silent: true,
      config: false,
    });
  },
});
