import { defineProvider } from '@ironrun/provider';
import manifest from '../package.json' with { type: 'json' };
import { createInfisicalProvider } from './infisical-provider.js';
import { type InfisicalOptions, parseInfisicalOptions } from './options.js';

/**
 * The Infisical provider: resolves `infisical://NAME` and `infisical:///path/to/NAME`
 * (optionally `?env=SLUG&project=ID`) with one list call per folder per run, through
 * `@infisical/sdk`, authenticated by a universal-auth machine identity or an access token.
 *
 * Options (`provider_options` in `ironrun.yml`): `project_id`, `environment`, `path`
 * (default `/`), `site_url` (default `https://app.infisical.com`), `token_env`,
 * `client_id_env`, `client_secret_env`, `include_imports` (default `true`).
 *
 * @example
 * import { provider } from '@ironrun/providers-infisical';
 * const options = provider.parseOptions({ project_id: 'b1c2…', environment: 'prod' });
 * const infisical = await provider.create(options, { projectDir, env: process.env, configDir, timeoutMs: 10_000 });
 * const [stripe] = await infisical.resolve(['infisical:///payments/STRIPE_KEY'], { signal: AbortSignal.timeout(10_000) });
 */
export const provider = defineProvider<InfisicalOptions>({
  name: 'infisical',
  // Declared once, in package.json (`ironrun.schemes`), where ironrun reads it without importing this module.
  schemes: manifest.ironrun.schemes,
  parseOptions: parseInfisicalOptions,
  create: (options, context) => createInfisicalProvider(options, context),
});
