import { defineProvider } from '@ironrun/provider';
import manifest from '../package.json' with { type: 'json' };
import { type EnvfileOptions, parseEnvfileOptions } from './envfile-options.js';
import { createEnvfileProvider } from './envfile-provider.js';

/**
 * The envfile provider: resolves `envfile://NAME` from a dotenv file outside the repository
 * (by default `<config dir>/secrets.env`).
 *
 * @example
 * // ironrun.yml
 * // provider: envfile
 * // provider_options: { path: ~/.config/ironrun/secrets.env }
 * // commands: [{ id: deploy, argv: [./deploy.sh], env: { STRIPE_KEY: envfile://STRIPE_KEY } }]
 */
export const provider = defineProvider<EnvfileOptions>({
  name: 'envfile',
  // Declared once, in package.json (`ironrun.schemes`), where ironrun reads it without importing this module.
  schemes: manifest.ironrun.schemes,
  parseOptions: parseEnvfileOptions,
  create: (options, context) => createEnvfileProvider(options, context),
});
