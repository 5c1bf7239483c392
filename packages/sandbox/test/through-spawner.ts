// IRONRUN_TEST_SPAWNER=1 runs every spawnSealed of the tests through one
// sealed spawner (createSealedSpawner's path), so the whole suite holds for
// it too. Without it spawnSealed is the real module's, unchanged.
import { afterAll, vi } from 'vitest';

// The spawner of this test file, closed after it (its listener folder goes with it).
const shared = vi.hoisted(() => ({ close: async () => {} }));
afterAll(() => shared.close());

vi.mock('../src/spawn-sealed.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/spawn-sealed.js')>();
  if (process.env.IRONRUN_TEST_SPAWNER !== '1') return actual;
  const { nativeInitPath } = await import('../src/native-init.js');
  const { SpawnerProcess } = await import('../src/spawner-process.js');
  const init = nativeInitPath();
  let running: InstanceType<typeof SpawnerProcess> | undefined;
  const spawner = () => {
    if (init === null) return undefined;
    if (running === undefined) {
      const started = new SpawnerProcess(init);
      running = started;
      shared.close = () => started.close();
    }
    return running;
  };
  return {
    ...actual,
    spawnSealed: (options: Parameters<typeof actual.spawnSealed>[0]) =>
      actual.spawnSealedWith(options, {}, spawner),
  };
});
