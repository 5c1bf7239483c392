import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const repoRoot = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** `pnpm validate:workflows [files…]`, as CI runs it: its exit code and what it printed. */
export async function validateWorkflows(
  ...files: string[]
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['scripts/validate-workflows.mjs', ...files],
      { cwd: repoRoot },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}
