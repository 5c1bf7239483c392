// IRONRUN_TEST_SPAWNER=1 starts every run of the tests through one sealed
// spawner (what the MCP server and the broker use), so the whole suite holds
// for it too. Without it spawnSealed is the real one, unchanged.
import { afterAll, vi } from 'vitest';

// The spawner of this test file, closed after it (its listener folder goes with it).
const shared = vi.hoisted(() => ({ close: async () => {} }));
afterAll(() => shared.close());

vi.mock('@ironrun/sandbox', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ironrun/sandbox')>();
  if (process.env.IRONRUN_TEST_SPAWNER !== '1') return actual;
  const spawner = actual.createSealedSpawner();
  shared.close = spawner.close;
  return { ...actual, spawnSealed: spawner.spawn };
});
