import type { PolicyTemplate } from '@ironrun/core';
import { builtinProviderDeclarations } from '@ironrun/core/provider-facts';
import type { ProjectTask } from './project-tasks.js';
import type { TestArgsRule } from './test-args.js';
import type { TaskToolchain } from './toolchains.js';

/** The built-in providers' templates, as their package.json declares them (`ironrun.policyTemplate`). */
function builtinTemplate(provider: string): PolicyTemplate | undefined {
  return builtinProviderDeclarations()[provider]?.policyTemplate;
}

/** The provider names `init --provider` has a declared template for, among the built-ins. */
export const templateProviders: readonly string[] = Object.entries(builtinProviderDeclarations())
  .filter(([, declared]) => declared.policyTemplate !== undefined)
  .map(([name]) => name);

function yamlString(value: string): string {
  return /^[A-Za-z0-9_./@:+-]+$/.test(value) && !/^[-:@]/.test(value) && !/: /.test(value)
    ? value
    : JSON.stringify(value);
}

function slug(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return cleaned === '' ? 'project' : cleaned;
}

/** A command's `path:` and plain `env:` for its toolchain, with comments naming it and what was not matched. */
function toolchainLines(toolchain: TaskToolchain | undefined): string[] {
  if (toolchain === undefined) return [];
  const comment = (text: string): string => `    # ${text.replace(/[\r\n\u2028\u2029]/g, ' ')}`;
  const lines = toolchain.notes.map((note) => comment(`toolchain: ${note}`));
  if (toolchain.path === undefined) return lines;
  const names = [
    ...new Set(toolchain.found.map((item) => `${item.program} from ${item.toolchain}`)),
  ];
  const env = Object.entries(toolchain.env);
  return [
    ...lines,
    comment(`${names.join(', ')}, where your shell finds them (trust pins each program).`),
    `    path: ${yamlString(toolchain.path)}`,
    ...(env.length === 0
      ? []
      : ['    env:', ...env.map(([name, value]) => `      ${name}: ${yamlString(value)}`)]),
  ];
}

/** A command's `args:` block, with a comment saying what it lets the agent add. */
function argsLines(args: TestArgsRule): string[] {
  return [
    `    # The agent may add ${args.summary}; nothing else`,
    '    # (no other option, absolute path, "..", "=" or shell character).',
    '    args:',
    `      pattern: '${args.pattern.replaceAll("'", "''")}'`,
    `      max: ${args.max}`,
    ...(args.allowOptions ? ['      allow_options: true'] : []),
  ];
}

/**
 * The text of a new `ironrun.yml`: one command per detected task (pinning the
 * part of the file it is defined in, or the whole file), and commented examples of secret references for
 * the chosen provider, as its declaration's `policyTemplate` writes them (a
 * built-in's, or `template`: a third-party package's). A provider without one
 * gets a bare `provider: <name>`.
 */
export function renderPolicyTemplate(options: {
  provider: string;
  projectName: string;
  tasks: readonly ProjectTask[];
  /** A third-party provider's declared template (a built-in's is found by name). */
  template?: PolicyTemplate | undefined;
  /**
   * Each task's toolchain by task id: its `path:` and plain `env:` are written.
   * @default no `path:` or `env:`
   */
  toolchains?: ReadonlyMap<string, TaskToolchain>;
}): string {
  const project = slug(options.projectName);
  const template = options.template ?? builtinTemplate(options.provider);
  const lines = [
    '# ironrun policy: the only commands an agent may run with secrets, sealed.',
    '# Review it, then a person (never the agent) runs `ironrun trust` at a terminal.',
    '# Any later change to this file, or to a pinned file, needs `ironrun trust` again.',
    'version: 1',
    ...(template?.lines.map((line) => line.replaceAll('{project}', project)) ?? [
      `provider: ${yamlString(options.provider)}`,
    ]),
    'commands:',
  ];
  const example = template?.example ?? `${options.provider}://NAME`;
  if (options.tasks.length === 0) {
    lines.push(
      '  # No test/build/lint task was found; an example:',
      '  - id: hello',
      '    description: Prints a greeting',
      '    argv: [echo, hello]',
      '    ttl: 30s',
    );
  }
  for (const task of options.tasks) {
    lines.push(
      `  - id: ${task.id}`,
      `    description: ${yamlString(task.description)}`,
      `    argv: [${task.argv.map(yamlString).join(', ')}]`,
      ...toolchainLines(options.toolchains?.get(task.id)),
      task.pinPart === undefined
        ? `    pin: [${yamlString(task.definedIn)}]`
        : `    pin: [{ file: ${yamlString(task.definedIn)}, part: ${yamlString(task.pinPart)} }]`,
      '    ttl: 10m',
      ...(task.args === undefined ? [] : argsLines(task.args)),
    );
  }
  lines.push(
    '  # A command that needs secrets declares them by reference; ironrun resolves',
    '  # them at exec time and redacts their values from the output:',
    '  # - id: deploy',
    '  #   argv: [./scripts/deploy.sh, --prod]',
    '  #   env:',
    `  #     STRIPE_SECRET_KEY: ${example}`,
    '  #     NODE_ENV: production        # a plain value is passed as is',
    '  #   ttl: 5m',
    '  #   no_network: false',
    '  #   confirm: true                 # a person approves every run',
    '',
  );
  return lines.join('\n');
}
