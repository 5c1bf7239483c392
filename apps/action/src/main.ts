// The action's entry point, bundled into dist/index.js.
import * as core from '@actions/core';
import { runAction } from './run-action.js';

const cancel = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // A cancelled job: kill the command's whole process tree, then report.
  process.once(signal, () => cancel.abort(new Error(`the job was cancelled (${signal})`)));
}

try {
  await runAction({ signal: cancel.signal });
} catch (error) {
  core.setFailed(
    `ironrun: the action failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
  );
}
