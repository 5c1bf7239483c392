import { isInsideDirEitherWay } from '@ironrun/policy';
import { type ProviderFixtures, testDeclaration, testProvider } from '@ironrun/provider/testing';
import { testdir } from '@ironrun/test-utils';
import { afterAll } from 'vitest';
import manifest from '../package.json' with { type: 'json' };
import { createEnvfileProvider } from '../src/envfile-provider.js';
import { provider } from '../src/index.js';

const values = {
  STRIPE_KEY: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  DB_URL: 'postgres://app:p4ss#word@db:5432/app',
  QUOTED: 'it\'s = "quoted"',
  PEM: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----',
};

const home = await testdir({
  'secrets.env': [
    `STRIPE_KEY=${values.STRIPE_KEY}`,
    `export DB_URL="${values.DB_URL}" # comment`,
    `QUOTED='${values.QUOTED}'`,
    `PEM="${values.PEM}"`,
    '',
  ].join('\n'),
});
const project = await testdir({ 'ironrun.yml': 'version: 1\n' });
afterAll(async () => {
  await home.cleanup();
  await project.cleanup();
});

const context = (configDir: string) => ({
  projectDir: project.dir,
  configDir,
  env: {},
  timeoutMs: 5000,
  isInsideProject: (path: string) => isInsideDirEitherWay(project.dir, path),
  warn: () => {},
});

const fixtures = {
  found: {
    'envfile://STRIPE_KEY': values.STRIPE_KEY,
    'envfile://DB_URL': values.DB_URL,
    'envfile://QUOTED': values.QUOTED,
    'envfile://PEM': values.PEM,
  },
  missing: ['envfile://NOT_SET', 'envfile://stripe_key'],
  invalid: ['envfile://', 'envfile://1ABC', 'envfile://A B', 'envfile://A/B', 'envfile:/A'],
} satisfies ProviderFixtures;

testDeclaration({
  manifest,
  definition: provider,
  valid: [...Object.keys(fixtures.found), ...fixtures.missing],
  invalid: fixtures.invalid,
});

testProvider({
  name: 'envfile',
  definition: provider,
  create: () => provider.create(provider.parseOptions({}), context(home.dir)),
  slow: () =>
    createEnvfileProvider({}, context(home.dir), {
      readFile: () => new Promise(() => {}),
      stat: async () => ({ mode: 0o600 }),
    }),
  failing: () => provider.create({ path: 'no/such/secrets.env' }, context(home.dir)),
  fixtures,
  invalidOptions: [{ path: 42 }, { path: '' }, { pth: '~/secrets.env' }],
});
