import { afterAll, describe, expect, it } from 'vitest';
import { runThroughBroker } from '../src/broker-frontend.js';
import { expectNoLeak, prepareCase, strayProcesses } from '../src/run-attack.js';
import { attackCases, attackGroups, extraSecrets } from './attack-cases.js';
import { recordCount } from './count-record.js';

const isLinux = process.platform === 'linux';

// Every attack case of the suite again, as a client inside `ironrun agent` sends it: through the
// broker's socket to the broker's runSealed, with the output streamed back over the protocol.
describe('the broker of ironrun agent under attack', () => {
  for (const [group, cases] of Object.entries(attackGroups)) {
    describe(group, () => {
      for (const attack of cases) {
        it.skipIf(attack.linuxOnly === true && !isLinux).concurrent(attack.name, async () => {
          const prepared = await prepareCase(attack);
          try {
            const outcome = await runThroughBroker(prepared);
            expectNoLeak(outcome, extraSecrets);
            await attack.expect(outcome);
          } finally {
            await strayProcesses(prepared.context.token, 0);
            await prepared.dispose();
          }
        });
      }
    });
  }

  afterAll(() => {
    recordCount('broker', attackCases.length);
    expect(attackCases.length).toBeGreaterThanOrEqual(60);
  });
});
