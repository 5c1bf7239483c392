import { defineProvider } from '@ironrun/provider';
import manifest from '../package.json' with { type: 'json' };
import { createDopplerProvider } from './doppler-provider.js';
import { type DopplerOptions, parseDopplerOptions } from './options.js';

/**
 * The Doppler provider: resolves `doppler://NAME` and `doppler://PROJECT/CONFIG/NAME` with
 * one download call per project/config per run, through `@dopplerhq/node-sdk`.
 *
 * Options (`provider_options` in `ironrun.yml`): `project`, `config`, `token_env`
 * (default `DOPPLER_TOKEN`), `api_url` (default `https://api.doppler.com`).
 *
 * @example
 * import { provider } from '@ironrun/providers-doppler';
 * const options = provider.parseOptions({ project: 'backend', config: 'prd' });
 * const doppler = await provider.create(options, { projectDir, env: process.env, configDir, timeoutMs: 10_000 });
 * const [stripe] = await doppler.resolve(['doppler://STRIPE_KEY'], { signal: AbortSignal.timeout(10_000) });
 */
export const provider = defineProvider<DopplerOptions>({
  name: 'doppler',
  // Declared once, in package.json (`ironrun.schemes`), where ironrun reads it without importing this module.
  schemes: manifest.ironrun.schemes,
  parseOptions: parseDopplerOptions,
  create: (options, context) => createDopplerProvider(options, context),
});
