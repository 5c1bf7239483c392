import { execFileSync } from 'node:child_process';
import { arm64Runner, buildScript, hostTarget } from './binary-path.js';

/**
 * Global setup: builds the host binary (and linux-arm64 when qemu-user can
 * run it) from the packages' current dist/, so the tests never run a stale one.
 */
export default function setup(): void {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return;
  const targets = [hostTarget];
  if ('qemu' in arm64Runner()) targets.push('linux-arm64');
  execFileSync(process.execPath, [buildScript, '--targets', targets.join(',')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
}
