import { providerDeclaration } from '@ironrun/core';
import { validatePolicy } from '@ironrun/policy';
import { installFixtureProvider, testdir } from '@ironrun/test-utils';
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

  it("writes a third-party provider's declared template, read from its package.json", async () => {
    const project = await testdir();
    try {
      await installFixtureProvider(project.dir);
      const declared = await providerDeclaration('ironrun-provider-fixture', {
        projectDir: project.dir,
      });
      const text = renderPolicyTemplate({
        provider: 'ironrun-provider-fixture',
        projectName: 'Shop App',
        tasks,
        template: declared.policyTemplate,
      });
      expect(text).toContain('  file: ~/.config/ironrun/shop-app.json\n');
      expect(text).toContain('#     STRIPE_SECRET_KEY: fixture://API_KEY\n');
      const { policy, issues } = validatePolicy(text, {
        filename: 'ironrun.yml',
        providers: { 'ironrun-provider-fixture': declared },
      });
      expect(issues).toEqual([]);
      expect(policy?.provider).toMatchObject({ name: 'ironrun-provider-fixture' });
    } finally {
      await project.cleanup();
    }
  });
});
