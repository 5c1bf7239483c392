import { ProviderError } from '@ironrun/provider';
import { testProvider } from '@ironrun/provider/testing';
import { testdir } from '@ironrun/test-utils';
import { afterAll } from 'vitest';
import { createExampleProvider } from '../src/example-provider.js';
import { provider } from '../src/index.js';

const secrets = { API_KEY: 'ex_live_9f8e7d6c5b4a', WEBHOOK_SECRET: 'whsec_abcdefghijkl' };
const home = await testdir({ 'example.json': JSON.stringify(secrets) });
afterAll(() => home.cleanup());

const context = {
  projectDir: home.dir,
  configDir: home.dir,
  env: {},
  timeoutMs: 5000,
  // This provider checks no path against the project (ironrun passes its own check here).
  isInsideProject: () => false,
};

testProvider({
  name: 'ironrun-provider-example',
  definition: provider,
  create: () =>
    provider.create(provider.parseOptions({ file: home.path('example.json') }), context),
  // A backend that never answers: the provider must still give up when the signal aborts.
  slow: () => createExampleProvider(() => new Promise(() => {})),
  // A backend that fails: the error must be a ProviderError with no value in it.
  failing: () =>
    createExampleProvider(async () => {
      throw new ProviderError('AUTH', 'example: the backend refused the token', {
        provider: 'example',
      });
    }),
  fixtures: {
    found: {
      'example://API_KEY': secrets.API_KEY,
      'example://WEBHOOK_SECRET': secrets.WEBHOOK_SECRET,
    },
    missing: ['example://NOT_THERE'],
    invalid: ['example://has-dash', 'example://'],
  },
  invalidOptions: [{}, { file: '' }, { file: 'x.json', extra: true }],
});
