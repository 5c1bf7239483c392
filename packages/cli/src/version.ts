import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version of `@ironrun/cli`, read from its package.json. */
export const cliVersion: string = (require('../package.json') as { version: string }).version;
