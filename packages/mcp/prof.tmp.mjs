import { mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSealed } from '@ironrun/core';
import { trust } from '@ironrun/policy';

const project = await realpath(await mkdtemp(join(tmpdir(), 'ironrun-bench-')));
const configDir = await mkdtemp(join(tmpdir(), 'ironrun-bench-config-'));
const policyPath = join(project, 'ironrun.yml');
await writeFile(
  policyPath,
  'version: 1\nprovider: envfile\ncommands:\n  - id: "true"\n    argv: [/bin/true]\n',
);
await trust(policyPath, { configDir });
const N = Number(process.env.N ?? 300);
const providers = { envfile: () => import('@ironrun/providers-envfile') };
for (let i = 0; i < 20; i++)
  await runSealed({ policy: policyPath, commandId: 'true', configDir, providers });
const t = [];
for (let i = 0; i < N; i++) {
  const s = performance.now();
  await runSealed({ policy: policyPath, commandId: 'true', configDir, providers });
  t.push(performance.now() - s);
}
t.sort((a, b) => a - b);
console.log('median', t[N >> 1].toFixed(2));
