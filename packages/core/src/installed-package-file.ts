/**
 * The sandbox's `installedPackageFile` alone (the same function `@ironrun/core` exports), as an
 * entry of its own: the CLI's single-file bundles load it on first use, without the rest of
 * core.
 */
export { installedPackageFile } from '@ironrun/sandbox';
