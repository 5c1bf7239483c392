// IRONRUN_TEST_SPAWNER=1 starts every run of the tests through one sealed
// spawner (what the MCP server and the broker use), so the whole suite holds
// for it too. Without it spawnSealed is the real one, unchanged.
import { vi } from 'vitest';

vi.mock('@ironrun/sandbox', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@ironrun/sandbox')>();
  if (process.env.IRONRUN_TEST_SPAWNER !== '1') return actual;
  const spawner = actual.createSealedSpawner();
  return { ...actual, spawnSealed: spawner.spawn };
});
