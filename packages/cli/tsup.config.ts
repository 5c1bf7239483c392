import { createRequire } from 'node:module';
import { build, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

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
// An ES module's `import … from 'node:fs'` makes Node build an ES facade of `fs`, which
// reads every export, `fs.ReadStream` among them, a getter that loads the whole stream
// stack: the largest single cost of a guard call (node --cpu-prof). In the guard, the
// built-ins it imports statically are taken from `process.getBuiltinModule` instead
// (Node >= 20.16; `engines` asks for 20.19). Only plain value exports are offered, so an
// import of a getter export (or a name that does not exist) fails the build; a Node
// without `getBuiltinModule` makes the hook exit 2 (block), never 1 (which lets the call
// through).
const builtinsWithoutFacade: Plugin = {
  name: 'builtins-without-facade',
  setup(plugin) {
    const require = createRequire(import.meta.url);
    plugin.onResolve({ filter: /^(?:node:)?(?:fs|os|path)$/ }, (args) => ({
      path: args.path.replace(/^node:/, ''),
      namespace: 'builtin-without-facade',
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'builtin-without-facade' }, (args) => {
      const exports: Record<string, unknown> = require(`node:${args.path}`);
      const names = Object.keys(exports).filter((name) => {
        const descriptor = Object.getOwnPropertyDescriptor(exports, name);
        return descriptor !== undefined && 'value' in descriptor && /^[A-Za-z_$][\w$]*$/.test(name);
      });
      const contents = [
        "if (typeof process.getBuiltinModule !== 'function') {",
        "  process.stderr.write('ironrun guard: needs Node.js >= 20.16. The tool call is denied (the guard fails closed).\\n');",
        '  process.exit(2);',
        '}',
        `export const { ${names.join(', ')} } = process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)});`,
      ].join('\n');
      return { contents, loader: 'js' };
    });
  },
};

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
      esbuildPlugins: [builtinsWithoutFacade],
      // The plugin above takes `node:` imports itself.
      removeNodeProtocol: false,
    });
  },
});
