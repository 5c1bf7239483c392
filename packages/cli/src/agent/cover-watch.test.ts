import { mkdir, rename, writeFile } from 'node:fs/promises';
import { testdir } from '@ironrun/test-utils';
import { describe, expect, it } from 'vitest';
import { type CoverBaseline, type CoverChange, coverBaseline } from './cover-watch.js';

/** The first change the watch of `locations`, armed at once, reports. */
function firstChange(locations: Parameters<typeof coverBaseline>[0]): {
  change: Promise<CoverChange>;
  close(): void;
} {
  let close = () => {};
  const change = new Promise<CoverChange>((resolve) => {
    close = coverBaseline(locations).arm(resolve).close;
  });
  return { change, close };
}

/** What the armed watch of `baseline` reports within a second, or `undefined`. */
async function armedChange(baseline: CoverBaseline): Promise<CoverChange | undefined> {
  let armed: { close(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const change = await new Promise<CoverChange | undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), 1000);
    armed = baseline.arm(resolve);
  });
  clearTimeout(timer);
  armed?.close();
  return change;
}

describe('the cover watch (coverBaseline, armed at once)', () => {
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

  it('reports a covered file replaced before the watch was armed', async () => {
    const home = await testdir({ 'vault/secrets.env': 'A=1\n', 'vault/new.env': 'A=2\n' });
    try {
      // The start takes the baseline before the launch and arms the watch after it.
      const baseline = coverBaseline([
        { path: home.path('vault/secrets.env'), reason: 'envfile', covered: true },
      ]);
      await rename(home.path('vault/new.env'), home.path('vault/secrets.env'));
      const change = await armedChange(baseline);
      expect(change).toMatchObject({ path: home.path('vault/secrets.env'), change: 'replaced' });
    } finally {
      await home.cleanup();
    }
  });

  it('reports an absent location created before the watch was armed', async () => {
    const home = await testdir({ '.keep': '' });
    try {
      const baseline = coverBaseline([
        { path: home.path('.doppler'), reason: 'Doppler', covered: false },
      ]);
      await mkdir(home.path('.doppler'));
      const change = await armedChange(baseline);
      expect(change).toMatchObject({ path: home.path('.doppler'), change: 'created' });
    } finally {
      await home.cleanup();
    }
  });
});
