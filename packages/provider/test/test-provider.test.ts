import { defineProvider, ProviderError } from '../src/index.js';
import { testProvider } from '../src/testing/index.js';
import { memoryProvider } from './memory-provider.js';

const secrets = {
  STRIPE_KEY: 'sk_test_51abcdefgh',
  DB_PASSWORD: 'correct horse battery',
  PEM: '-----BEGIN KEY-----\nline1\n-----END KEY-----',
};

const definition = defineProvider({
  name: 'memory',
  schemes: ['mem'],
  parseOptions(raw) {
    if (typeof raw.secrets !== 'object' || raw.secrets === null) {
      throw new ProviderError(
        'CONFIG',
        'memory: options.secrets must be an object of names to values',
      );
    }
    return { secrets: raw.secrets as Record<string, string> };
  },
  create: (options) => memoryProvider(options),
});

testProvider({
  definition,
  invalidOptions: [{}, { secrets: null }],
  name: 'memory (reference implementation)',
  create: () => memoryProvider({ secrets }),
  slow: () => memoryProvider({ secrets, hang: true }),
  failing: () => memoryProvider({ secrets, fail: true }),
  fixtures: {
    found: {
      'mem://STRIPE_KEY': secrets.STRIPE_KEY,
      'mem://DB_PASSWORD': secrets.DB_PASSWORD,
      'mem://PEM': secrets.PEM,
    },
    missing: ['mem://NOPE', 'mem://ALSO_MISSING'],
    invalid: ['mem://has space', 'mem://'],
  },
});
