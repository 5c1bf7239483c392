import { validatePolicy } from '@ironrun/policy';
import { describe, expect, it } from 'vitest';
import { renderPolicyTemplate, templateProviders } from './policy-template.js';

const tasks = [
  {
    id: 'test',
    argv: ['npm', 'run', 'test'],
    definedIn: 'package.json',
    pinPart: 'scripts.test',
    description: 'npm run test: "quoted"',
  },
  {
    id: 'lint',
    argv: ['cargo', 'clippy', '--', '-D', 'warnings'],
    definedIn: 'Cargo.toml',
    description: 'clippy',
  },
];

describe('renderPolicyTemplate', () => {
  it.each(templateProviders)('writes a policy that validates for %s', (provider) => {
    const text = renderPolicyTemplate({ provider, projectName: '@acme/Shop App', tasks });
    const { policy, issues } = validatePolicy(text, { filename: 'ironrun.yml' });
    expect(issues).toEqual([]);
    expect(policy?.provider.name).toBe(provider);
    expect(
      policy?.commands.map((command) => [command.id, command.argv, command.pin, command.pinParts]),
    ).toEqual([
      ['test', ['npm', 'run', 'test'], [], [{ file: 'package.json', part: 'scripts.test' }]],
      ['lint', ['cargo', 'clippy', '--', '-D', 'warnings'], ['Cargo.toml'], undefined],
    ]);
  });

  it('writes a valid example command when no task was found', () => {
    const { issues } = validatePolicy(
      renderPolicyTemplate({ provider: 'envfile', projectName: 'x', tasks: [] }),
    );
    expect(issues).toEqual([]);
  });
});
