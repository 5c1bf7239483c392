export { installedPackageFile } from './installed-package-file.js';
export {
  isNamespaceInitRequest,
  namespaceInitArgument,
  runNamespaceInit,
} from './namespace-init.js';
export type { SealedLimits } from './native-init.js';
export type { IsolationReport } from './probe-isolation.js';
export { probeIsolation } from './probe-isolation.js';
export { defaultSafePath } from './resolve-program.js';
export type { SandboxErrorCode } from './sandbox-error.js';
export { isSandboxError, SandboxError } from './sandbox-error.js';
export type { SealedSpawner, SealedSpawnerOptions } from './sealed-spawner.js';
export { createSealedSpawner } from './sealed-spawner.js';
export type {
  SealedIsolation,
  SealedProcess,
  SealedResult,
  SpawnSealedOptions,
} from './spawn-sealed.js';
export { spawnSealed } from './spawn-sealed.js';
export type { VerifiedFile } from './verified-exec.js';
