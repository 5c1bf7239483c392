// The entry point of the single-file `ironrun` executable (a Node single
// executable application). Bundled to CommonJS by scripts/build-binary.mjs,
// so no top-level await.
//
// Checked first: a sealed run inside this binary starts the binary again as
// the init of the child's PID namespace (`ironrun --ironrun-sandbox-init`,
// with IRONRUN_SANDBOX_INIT=1), because its `execPath` cannot run `node -e`.
// runNamespaceInit() refuses unless it is PID 1 of that namespace with the
// sandbox's IPC channel, and the CLI is not loaded on that path (the cli's
// `./namespace-init` entry is core's, which is the sandbox's: nothing else).
import {
  isNamespaceInitRequest,
  isSandboxError,
  runNamespaceInit,
} from '@ironrun/cli/namespace-init';

if (isNamespaceInitRequest()) {
  try {
    runNamespaceInit();
  } catch (error) {
    process.stderr.write(`ironrun: ${isSandboxError(error) ? error.message : 'init failed'}\n`);
    process.exitCode = 2;
  }
} else {
  void import('@ironrun/cli').then(async ({ runCli }) => {
    process.exitCode = await runCli(process.argv.slice(2));
  });
}
