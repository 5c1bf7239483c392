import { spawn } from 'node:child_process';
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
const N = Number(process.env.N ?? 100);
const providers = { envfile: () => import('@ironrun/providers-envfile') };
const med = (t) => {
  t = [...t].sort((a, b) => a - b);
  return t[t.length >> 1].toFixed(2);
};
const direct = () =>
  new Promise((res) => {
    const s = performance.now();
    const c = spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const sync = performance.now() - s;
    c.on('close', () => res([sync, performance.now() - s]));
  });
for (let i = 0; i < 10; i++) {
  await runSealed({ policy: policyPath, commandId: 'true', configDir, providers });
  await direct();
}
const r = [],
  ds = [],
  dt = [];
for (let i = 0; i < N; i++) {
  const [a, b] = await direct();
  ds.push(a);
  dt.push(b);
  const s = performance.now();
  await runSealed({ policy: policyPath, commandId: 'true', configDir, providers });
  r.push(performance.now() - s);
}
console.log(
  'rss MB',
  (process.memoryUsage().rss / 1e6).toFixed(0),
  'direct sync',
  med(ds),
  'direct total',
  med(dt),
  'runSealed',
  med(r),
);
