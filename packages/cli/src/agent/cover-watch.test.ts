import { mkdir, rename, writeFile } from 'node:fs/promises';
import { testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { type CoverChange, watchCovers } from './cover-watch.js';

function firstChange(locations: Parameters<typeof watchCovers>[0]): {
  change: Promise<CoverChange>;
  close(): void;
} {
  let close = () => {};
  const change = new Promise<CoverChange>((resolve) => {
    close = watchCovers(locations, resolve).close;
  });
  return { change, close };
}

describe('watchCovers', () => {
  it('reports an absent location once it is created, even below folders created after the start', async () => {
    const home = await testdir({ '.keep': '' });
    try {
      const watched = firstChange([
        { path: home.path('.config/op'), reason: '1Password', covered: false },
      ]);
      await mkdir(home.path('.config'));
      await mkdir(home.path('.config/op'));
      expect(await watched.change).toMatchObject({
        path: home.path('.config/op'),
        change: 'created',
      });
      watched.close();
    } finally {
      await home.cleanup();
    }
  });

  it('reports a covered file replaced by rename, but not one written in place', async () => {
    const home = await testdir({ 'vault/secrets.env': 'A=1\n', 'vault/other.env': 'B=1\n' });
    try {
      const watched = firstChange([
        { path: home.path('vault/secrets.env'), reason: 'envfile', covered: true },
        { path: home.path('vault/other.env'), reason: 'envfile', covered: true },
      ]);
      // In place: the cover stays on the same file, nothing to report.
      await writeFile(home.path('vault/secrets.env'), 'A=2\n');
      await writeFile(home.path('vault/new.env'), 'B=2\n');
      await rename(home.path('vault/new.env'), home.path('vault/other.env'));
      expect(await watched.change).toMatchObject({
        path: home.path('vault/other.env'),
        change: 'replaced',
      });
      watched.close();
    } finally {
      await home.cleanup();
    }
  });
});
