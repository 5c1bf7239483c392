#!/usr/bin/env node
// Publishability check: pack every public workspace package, install the
// tarballs together into an empty project with plain npm (as a user would),
// import each from Node as ESM, resolve its types with tsc, and run the CLI's
// bin from there. A package that only works inside the workspace fails here.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
}

const packages = [];
for (const parent of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, parent))) {
    const dir = join(root, parent, name);
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    if (pkg.private) continue;
    if (!existsSync(join(dir, 'dist'))) {
      console.error(`check:packs: ${pkg.name} has no dist/ (run pnpm build first)`);
      process.exit(1);
    }
    // A per-platform package (the sandbox's native init) installs only where its os and cpu
    // match, as npm does for an optional dependency: it is packed everywhere, installed here
    // only on its own platform, and it holds a binary, not a module to import.
    const native = pkg.os !== undefined || pkg.cpu !== undefined;
    const installable =
      (pkg.os === undefined || pkg.os.includes(process.platform)) &&
      (pkg.cpu === undefined || pkg.cpu.includes(process.arch));
    packages.push({ name: pkg.name, dir, pkg, native, installable });
  }
}

const work = mkdtempSync(join(tmpdir(), 'ironrun-packs-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
run('mkdir', ['-p', tarballs, project]);
try {
  const files = [];
  for (const { dir, installable } of packages) {
    const before = new Set(readdirSync(tarballs));
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir });
    const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz') && !before.has(f));
    if (installable) files.push(...packed.map((f) => join(tarballs, f)));
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packs-check', private: true, type: 'module' }),
  );
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...files,
      'typescript@~5.9.3',
      '@types/node@^20.19.0',
    ],
    { cwd: project },
  );

  const failures = [];
  for (const { name, pkg, native, installable } of packages) {
    if (native) {
      // Its binary must be there and run (the init prints its usage and exits non-zero).
      if (!installable) {
        console.log(`ok   packed ${name} (not for ${process.platform}-${process.arch})`);
        continue;
      }
      const binary = join(project, 'node_modules', ...name.split('/'), 'dist', 'ironrun-init');
      if (existsSync(binary)) console.log(`ok   installed ${name} with its binary`);
      else failures.push(`${name}: dist/ironrun-init missing from the installed tarball`);
      continue;
    }
    const subpaths = Object.keys(pkg.exports ?? { '.': null }).filter(
      (k) => k !== './package.json' && !k.endsWith('.json'),
    );
    for (const sub of subpaths) {
      const spec = sub === '.' ? name : `${name}/${sub.slice(2)}`;
      // The conformance kit imports vitest, an optional peer: resolve it only, don't import.
      const code = spec.endsWith('/testing')
        ? `import.meta.resolve(${JSON.stringify(spec)})`
        : `const m = await import(${JSON.stringify(spec)}); if (Object.keys(m).length === 0) throw new Error('no exports');`;
      try {
        run(process.execPath, ['--input-type=module', '-e', code], { cwd: project });
        console.log(`ok   import ${spec}`);
      } catch (error) {
        failures.push(`import ${spec}: ${error.stderr || error.message}`);
      }
    }
  }

  const typesFile = join(project, 'types-check.ts');
  writeFileSync(
    typesFile,
    `${packages
      .filter(({ native }) => !native)
      .flatMap(({ name, pkg }) =>
        Object.keys(pkg.exports ?? { '.': null })
          .filter((k) => k !== './package.json' && !k.endsWith('.json'))
          .map(
            (sub, i) =>
              `import type * as t${name.replace(/\W/g, '_')}_${i} from '${sub === '.' ? name : `${name}/${sub.slice(2)}`}';`,
          ),
      )
      .join('\n')}\nexport {};\n`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      files: ['types-check.ts'],
    }),
  );
  try {
    run(join(project, 'node_modules/.bin/tsc'), ['-p', project], { cwd: project });
    console.log(`ok   types of ${packages.length} packages resolve with tsc (NodeNext)`);
  } catch (error) {
    failures.push(`tsc: ${error.stdout || error.message}`);
  }

  const cli = packages.find((p) => p.name === '@ironrun/cli');
  if (cli) {
    const bin = join(project, 'node_modules/.bin/ironrun');
    try {
      const version = run(bin, ['--version'], { cwd: project }).trim();
      if (!version.includes(cli.pkg.version)) throw new Error(`--version printed ${version}`);
      console.log(`ok   ironrun --version from the installed tarball: ${version}`);
    } catch (error) {
      failures.push(`ironrun bin: ${error.stderr || error.message}`);
    }
    // The main job, from the installed tarballs only: trust + run of a command
    // whose envfile secret must come back [REDACTED].
    try {
      const app = join(work, 'app');
      const configDir = join(work, 'config');
      mkdirSync(join(app, 'scripts'), { recursive: true });
      mkdirSync(configDir, { recursive: true, mode: 0o700 });
      const secret = `packs_${randomBytes(16).toString('hex')}`;
      writeFileSync(join(configDir, 'secrets.env'), `TOKEN=${secret}\n`, { mode: 0o600 });
      writeFileSync(join(app, 'scripts', 'show.sh'), '#!/bin/sh\necho "token=$TOKEN"\n', {
        mode: 0o755,
      });
      writeFileSync(
        join(app, 'ironrun.yml'),
        'version: 1\nprovider: envfile\ncommands:\n  - id: show\n    argv: [./scripts/show.sh]\n    env:\n      TOKEN: envfile://TOKEN\n',
      );
      const env = { ...process.env, IRONRUN_CONFIG_DIR: configDir };
      run(bin, ['trust', '--yes'], { cwd: app, env });
      const out = run(bin, ['run', 'show'], { cwd: app, env });
      if (out.includes(secret)) throw new Error('the secret reached the output');
      if (!out.includes('token=[REDACTED]')) throw new Error(`unexpected output: ${out}`);
      console.log('ok   ironrun trust + run from the installed tarballs: token=[REDACTED]');
      // The same run forwarded from inside `ironrun agent` (dist/agent.js bundles the broker's
      // pipeline, which must find the sandbox's native init where npm installed it).
      let confinable = true;
      try {
        run(bin, ['agent', '--dry-run', '--', '/bin/true'], { cwd: app, env });
      } catch {
        confinable = false;
        console.log('skip ironrun agent from the installed tarballs: no confinement works here');
      }
      if (confinable) {
        const inside = run(bin, ['agent', '--', bin, 'run', 'show'], { cwd: app, env });
        if (inside.includes(secret)) throw new Error('the secret reached the agent');
        if (!inside.includes('token=[REDACTED]')) throw new Error(`unexpected output: ${inside}`);
        console.log(
          'ok   ironrun agent -- ironrun run from the installed tarballs: token=[REDACTED]',
        );
      }
    } catch (error) {
      failures.push(`ironrun run: ${error.stderr || error.message}`);
    }
    // The guard hook as `init` registers it (dist/guard.cjs), the ES entry older settings
    // name (dist/guard.js, which loads it) and `ironrun guard`, from the installed tarball:
    // each must deny a read of the secrets file, with a cold cache, so the guard's own
    // import() of yaml and core resolves from the installed tree.
    const dist = join(project, 'node_modules', '@ironrun', 'cli', 'dist');
    const app = join(work, 'app');
    for (const args of [[join(dist, 'guard.cjs')], [join(dist, 'guard.js')], [bin, 'guard']]) {
      const what = args.length === 1 ? `node ${args[0].slice(dist.length + 1)}` : 'ironrun guard';
      try {
        const configDir = mkdtempSync(join(work, 'guard-config-'));
        const input = JSON.stringify({
          hook_event_name: 'PreToolUse',
          tool_name: 'Bash',
          tool_input: { command: `cat ${join(configDir, 'secrets.env')}` },
          cwd: app,
        });
        const [file, ...rest] = args.length === 1 ? [process.execPath, ...args] : args;
        const out = run(file, rest, {
          cwd: app,
          env: { ...process.env, IRONRUN_CONFIG_DIR: configDir },
          input,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        if (!out.includes('"permissionDecision":"deny"')) throw new Error(`printed ${out}`);
        console.log(`ok   ${what} from the installed tarball denies a read of the secrets file`);
      } catch (error) {
        failures.push(`${what}: ${error.stderr || error.message}`);
      }
    }
  }

  if (failures.length) {
    console.error(`\ncheck:packs: ${failures.length} problem(s):\n${failures.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(
      `check:packs: ${packages.length} packages packed, installed together with npm and imported`,
    );
  }
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
