// The README's examples as a user copies them: every workflow passes
// action-validator, names only inputs and outputs action.yml has (and, for
// the vendors' actions it uses, inputs those actions have), runs commands its
// policy declares; every ironrun.yml is a valid policy with valid provider
// options.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readPolicyWithProviderSchemes } from '@ironrun/core';
import { type TestDir, testdir } from '@ironrun/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateWorkflows } from './validate-workflows.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

const providers: Record<string, () => Promise<unknown>> = {
  envfile: () => import('@ironrun/providers-envfile'),
  doppler: () => import('@ironrun/providers-doppler'),
  infisical: () => import('@ironrun/providers-infisical'),
  '1password': () => import('@ironrun/providers-1password'),
};

/**
 * The inputs and outputs of the vendors' actions the README uses, as their
 * own action.yml and README declare them (Infisical/auth-action v1,
 * 1password/load-secrets-action v4, whose outputs are the names of its env).
 * A typo in an example fails here; a vendor renaming an input does not.
 */
const vendorActions: Record<string, { inputs: string[]; outputs?: string[] }> = {
  'Infisical/auth-action': {
    inputs: [
      'method',
      'client-id',
      'client-secret',
      'identity-id',
      'oidc-audience',
      'domain',
      'output-credential',
      'output-env-credential',
      'extra-headers',
    ],
    outputs: ['access-token'],
  },
  '1password/load-secrets-action': { inputs: ['unset-previous', 'export-env'] },
  'actions/checkout': { inputs: ['ref', 'fetch-depth', 'persist-credentials'] },
};

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

let blocks: string[];
let workflows: { name: string; text: string }[];
let policies: string[];
let dir: TestDir;
let metadata: {
  inputs: Record<string, { required?: boolean }>;
  outputs: Record<string, unknown>;
};

beforeAll(async () => {
  const readme = await readFile(resolve(repoRoot, 'apps/action/README.md'), 'utf8');
  blocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string);
  workflows = [];
  policies = [];
  for (const [index, text] of blocks.entries()) {
    if (text.startsWith('# ironrun.yml')) policies.push(text);
    else if (text.startsWith('# .github/workflows/')) {
      workflows.push({ name: `${index}-${/workflows\/(\S+)/.exec(text)?.[1]}`, text });
    } else if (text.startsWith('- ')) {
      // A fragment of steps: as the steps of a job.
      const steps = text
        .split('\n')
        .map((line) => (line === '' ? line : `      ${line}`))
        .join('\n');
      workflows.push({
        name: `${index}-fragment.yml`,
        text: `on: push\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`,
      });
    } else {
      throw new Error(`README yaml block ${index} is neither a workflow, a policy nor steps`);
    }
  }
  dir = await testdir(
    Object.fromEntries([
      ...workflows.map((workflow) => [`workflows/${workflow.name}`, workflow.text]),
      ...policies.map((policy, index) => [`policies/${index}/ironrun.yml`, policy]),
    ]),
  );
  metadata = parse(await readFile(resolve(repoRoot, 'action.yml'), 'utf8'));
});

afterAll(async () => {
  await dir?.cleanup();
});

const ironrunSteps = () =>
  workflows.flatMap((workflow) =>
    Object.values((parse(workflow.text) as Workflow).jobs).flatMap((job) =>
      job.steps
        .filter((step) => step.uses?.startsWith('ironrun/ironrun@'))
        .map((step) => ({ workflow: workflow.name, step, job })),
    ),
  );

describe('the README examples', () => {
  it('has the examples this test is about', () => {
    expect(policies.length).toBeGreaterThanOrEqual(4);
    expect(workflows.length).toBeGreaterThanOrEqual(7);
    expect(ironrunSteps().length).toBeGreaterThanOrEqual(7);
  });

  it('pass action-validator', async () => {
    const result = await validateWorkflows(
      ...workflows.map((workflow) => dir.path(`workflows/${workflow.name}`)),
    );
    expect(result.output).not.toContain('is invalid');
    expect(result.code).toBe(0);
  });

  it('use ironrun/ironrun@v1 with inputs action.yml declares, the required ones given', () => {
    const declared = Object.keys(metadata.inputs);
    const required = declared.filter((name) => metadata.inputs[name]?.required === true);
    for (const { workflow, step } of ironrunSteps()) {
      expect(step.uses, workflow).toBe('ironrun/ironrun@v1');
      for (const input of Object.keys(step.with ?? {})) {
        expect(declared, `${workflow}: input ${input}`).toContain(input);
      }
      for (const input of required) {
        expect(Object.keys(step.with ?? {}), `${workflow}: required ${input}`).toContain(input);
      }
    }
  });

  it("read only outputs their step has: action.yml's for ironrun, the vendor's for its action", () => {
    for (const workflow of workflows) {
      for (const job of Object.values((parse(workflow.text) as Workflow).jobs)) {
        const byId = new Map(job.steps.filter((s) => s.id).map((s) => [s.id as string, s]));
        for (const [, id, output] of workflow.text.matchAll(
          /steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g,
        )) {
          const step = byId.get(id as string);
          expect(step, `${workflow.name}: step ${id}`).toBeDefined();
          const uses = step?.uses?.split('@')[0] ?? '';
          if (uses === 'ironrun/ironrun') {
            expect(Object.keys(metadata.outputs), `${workflow.name}`).toContain(output);
          } else if (uses === '1password/load-secrets-action') {
            // Its outputs are the names of its step's env.
            expect(Object.keys(step?.env ?? {}), `${workflow.name}`).toContain(output);
          } else {
            expect(vendorActions[uses]?.outputs, `${workflow.name}: ${uses}`).toContain(output);
          }
        }
      }
    }
  });

  it("give the vendors' actions only inputs those actions have", () => {
    for (const workflow of workflows) {
      for (const job of Object.values((parse(workflow.text) as Workflow).jobs)) {
        for (const step of job.steps) {
          const uses = step.uses?.split('@')[0];
          if (uses === undefined || uses === 'ironrun/ironrun') continue;
          const vendor = vendorActions[uses];
          expect(vendor, `${workflow.name}: ${uses} is an action this test knows`).toBeDefined();
          for (const input of Object.keys(step.with ?? {})) {
            expect(vendor?.inputs, `${workflow.name}: ${uses} input ${input}`).toContain(input);
          }
        }
      }
    }
  });

  it('are valid policies whose provider accepts its options', async () => {
    for (const [index] of policies.entries()) {
      const policy = await readPolicyWithProviderSchemes(
        dir.path(`policies/${index}/ironrun.yml`),
        {
          providers,
        },
      );
      const load = providers[policy.provider.name];
      expect(load, `policy ${index}: a built-in provider`).toBeDefined();
      const module = (await load?.()) as {
        provider: { parseOptions(raw: Record<string, unknown>): unknown };
      };
      expect(() => module.provider.parseOptions(policy.provider.options)).not.toThrow();
    }
  });

  it('run commands a policy of the README declares', async () => {
    const ids = new Set<string>();
    for (const [index] of policies.entries()) {
      const policy = await readPolicyWithProviderSchemes(
        dir.path(`policies/${index}/ironrun.yml`),
        {
          providers,
        },
      );
      for (const command of policy.commands) ids.add(command.id);
    }
    for (const { workflow, step } of ironrunSteps()) {
      expect([...ids], `${workflow}: command`).toContain(step.with?.command);
    }
  });
});
