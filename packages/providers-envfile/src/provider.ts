import { defineProvider } from '@ironrun/provider';
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
  schemes: ['envfile'],
  parseOptions: parseEnvfileOptions,
  create: (options, context) => createEnvfileProvider(options, context),
});
