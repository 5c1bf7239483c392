import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pidNamespaceFlags, probeIsolation } from './probe-isolation.js';

/** Whether unshare with these flags starts a program here, asked directly (no cache, no shortcut). */
function unshareWorks(unshare: string, flags: readonly string[]): boolean {
  return (
    spawnSync(unshare, [...flags, '--', unshare, '--version'], { stdio: 'ignore', env: {} })
      .status === 0
  );
}

describe('probeIsolation', () => {
  it('reports the platform and a note for every missing capability', async () => {
    const report = await probeIsolation();
    expect(report.platform).toBe(process.platform);
    const missing = [!report.pidNamespace, !report.noNetwork].filter(Boolean).length;
    expect(report.notes.length).toBeGreaterThanOrEqual(missing > 0 ? 1 : 0);
    if (process.platform === 'linux' && report.unshare !== null)
      expect(report.unshare).toMatch(/^\/(usr\/)?s?bin\/unshare$/);
  });

  it('returns a copy each time, so a caller cannot change the cached answer', async () => {
    const first = await probeIsolation();
    first.notes.push('changed');
    first.noNetwork = !first.noNetwork;
    const second = await probeIsolation();
    expect(second.notes).not.toContain('changed');
    expect(second.noNetwork).toBe(!first.noNetwork);
  });

  it.runIf(process.platform === 'linux')(
    'agrees with user, PID and network namespaces probed one by one (its one-spawn shortcut included)',
    async () => {
      const report = await probeIsolation();
      if (report.unshare === null) {
        console.log('skipped: util-linux unshare is not installed');
        return;
      }
      const user = unshareWorks(report.unshare, ['--user', '--map-root-user']);
      const flags = user ? ['--user', '--map-root-user'] : [];
      const allowed = user || process.getuid?.() === 0;
      expect(report.userNamespace).toBe(user);
      expect(report.pidNamespace).toBe(
        allowed && unshareWorks(report.unshare, [...flags, ...pidNamespaceFlags]),
      );
      expect(report.noNetwork).toBe(allowed && unshareWorks(report.unshare, [...flags, '--net']));
    },
  );
});
