import { describe, expect, it } from 'vitest';
import { probeIsolation } from './probe-isolation.js';

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
});
