import { afterAll, describe, expect, it } from 'vitest';
import { expectNoLeak, prepareCase, runThroughCore, strayProcesses } from '../src/run-attack.js';
import { attackCases, attackGroups, extraSecrets } from './attack-cases.js';
import { recordCount } from './count-record.js';

const isLinux = process.platform === 'linux';

describe('runSealed under attack', () => {
  for (const [group, cases] of Object.entries(attackGroups)) {
    describe(group, () => {
      for (const attack of cases) {
        const skip = attack.skip?.();
        if (skip !== undefined) console.log(`skipped: ${attack.name}: ${skip}`);
        it.skipIf((attack.linuxOnly === true && !isLinux) || skip !== undefined).concurrent(
          attack.name,
          async () => {
            const prepared = await prepareCase(attack);
            try {
              const outcome = await runThroughCore(prepared);
              expectNoLeak(outcome, extraSecrets);
              await attack.expect(outcome);
            } finally {
              await strayProcesses(prepared.context.token, 0);
              await prepared.dispose();
            }
          },
        );
      }
    });
  }

  afterAll(() => {
    recordCount('core', attackCases.length);
    expect(attackCases.length).toBeGreaterThanOrEqual(60);
  });
});
