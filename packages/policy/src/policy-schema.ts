import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { byteSizePattern } from './byte-size.js';
import { durationPattern } from './duration.js';
import { envNamePattern } from './env-name.js';
import { limitSizePattern } from './limit-size.js';

// Schema messages are noun phrases ("a list of strings"): the validator turns
// them into "expected a list of strings, got a number". Pipe actions carry
// whole sentences. Semantic rules that need positions or the policy folder
// (ranges, references, paths, duplicate ids) are checked after this schema.

/** The shape a command `id` must have. */
export const commandIdPattern = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** The shape of a provider name: a built-in name or an npm package name. */
export const providerNamePattern = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]{0,213}$/;

const noNul = (what: string) =>
  v.check<string, string>((text) => !text.includes('\0'), `${what} may not contain a NUL byte`);

const durationSchema = v.pipe(
  v.string('a duration such as 500ms, 30s or 5m'),
  v.regex(
    durationPattern,
    'expected a duration: a whole number and a unit (ms, s, m or h), e.g. 500ms, 30s, 5m',
  ),
  v.description(
    'How long the command may run before it is killed: 500ms, 30s, 5m, 1h (at most 24h).',
  ),
);

const relativePathSchema = (what: string) =>
  v.pipe(
    v.string('a path relative to the policy folder'),
    v.minLength(1, `${what} may not be empty`),
    noNul(what),
  );

const providerNameSchema = v.pipe(
  v.string('a provider name'),
  v.regex(
    providerNamePattern,
    'expected a provider name: 1password, doppler, infisical, envfile or a provider package name',
  ),
);

const envValueSchema = v.union(
  [
    v.pipe(v.string(), noNul('an env value')),
    v.strictObject({
      literal: v.pipe(
        v.string('a string'),
        noNul('an env value'),
        v.description('A plain value passed as is, even if it looks like a reference (https://…).'),
      ),
    }),
  ],
  'a secret reference (op://…) or a plain string; quote numbers and booleans ("8080")',
);

const argsSchema = v.pipe(
  v.strictObject(
    {
      pattern: v.pipe(
        v.string('a regular expression'),
        v.minLength(1, 'args.pattern may not be empty'),
        v.maxLength(1000, 'args.pattern is at most 1000 characters'),
        v.description(
          'A regular expression every extra argument must match in full (it is anchored).',
        ),
      ),
      max: v.optional(
        v.pipe(
          v.number('a whole number'),
          v.integer('expected a whole number'),
          v.minValue(1, 'must be at least 1'),
          v.maxValue(256, 'must be at most 256'),
          v.description('How many extra arguments the agent may append. Default 1.'),
        ),
      ),
      allow_options: v.optional(
        v.pipe(
          v.boolean('true or false'),
          v.description('Whether an extra argument may start with "-". Default false.'),
        ),
      ),
    },
    'a mapping with pattern, max and allow_options',
  ),
  v.description(
    'Extra arguments the agent may append to argv. Without this key, none are accepted.',
  ),
);

const limitSizeSchema = (what: string) =>
  v.union(
    [
      v.pipe(
        v.number(`${what} as a number of bytes`),
        v.integer('a whole number of bytes'),
        v.minValue(1, 'at least 1 byte'),
      ),
      v.pipe(
        v.string(),
        v.regex(
          limitSizePattern,
          'expected a size such as 512MiB or 2GiB (units B, KiB, MiB, GiB)',
        ),
      ),
    ],
    'a number of bytes or a size such as 512MiB',
  );

const commandSchema = v.strictObject(
  {
    id: v.pipe(
      v.string('a command id'),
      v.regex(
        commandIdPattern,
        'expected an id of lowercase letters, digits, "-", "_" or "." (starting with a letter or digit, at most 64)',
      ),
      v.description('The unique name the agent uses to ask for this command.'),
    ),
    description: v.optional(
      v.pipe(
        v.string('a string'),
        v.maxLength(2000, 'a description is at most 2000 characters'),
        v.description('Shown to agents in the command list.'),
      ),
    ),
    argv: v.pipe(
      v.array(
        v.pipe(v.string('a string (quote numbers)'), noNul('an argv element')),
        'a list of strings',
      ),
      v.minLength(1, 'argv may not be empty: it needs at least the program to run'),
      v.maxLength(1024, 'argv is at most 1024 elements'),
      v.description("The program and its arguments, exec'd directly: no shell, no expansion."),
    ),
    env: v.optional(
      v.pipe(
        v.record(
          v.pipe(
            v.string(),
            v.regex(
              envNamePattern,
              'expected an env name: a letter or "_", then letters, digits or "_"',
            ),
          ),
          envValueSchema,
          'a mapping of NAME to a secret reference or a plain value',
        ),
        v.description('Variables for the command: NAME: op://vault/item/field, or a plain value.'),
      ),
    ),
    allow_loader_env: v.optional(
      v.pipe(
        v.array(
          v.pipe(
            v.string('an env name'),
            v.regex(
              envNamePattern,
              'expected an env name: a letter or "_", then letters, digits or "_"',
            ),
          ),
          'a list of env names',
        ),
        v.description(
          'Env names of this command that make its program load code (PYTHONPATH, npm_config_*, GIT_CONFIG_*), which a person has reviewed and allows.',
        ),
      ),
    ),
    ttl: v.optional(durationSchema),
    no_network: v.optional(
      v.pipe(v.boolean('true or false'), v.description('Run the command without network access.')),
    ),
    cwd: v.optional(
      v.pipe(
        relativePathSchema('cwd'),
        v.description('Working folder, relative to the policy folder; stays inside it.'),
      ),
    ),
    allow: v.optional(
      v.pipe(
        v.array(
          v.pipe(
            v.string('a string'),
            v.minLength(1, 'an allow entry may not be empty'),
            noNul('allow'),
          ),
          'a list of executables',
        ),
        v.description(
          'Extra executables (names or absolute paths) the command may be resolved to.',
        ),
      ),
    ),
    write: v.optional(
      v.pipe(
        v.array(
          v.pipe(
            v.string('a path'),
            v.minLength(1, 'a write entry may not be empty'),
            noNul('write'),
          ),
          'a list of folders',
        ),
        v.description(
          'More folders the command may write in, besides the project and a private TMPDIR (Linux with Landlock): relative to the policy folder or absolute, existing real folders (no symlink in them).',
        ),
      ),
    ),
    path: v.optional(
      v.pipe(
        v.string('a PATH string'),
        v.minLength(1, 'path may not be empty'),
        noNul('path'),
        v.description('The PATH used to look argv[0] up: absolute folders outside the project.'),
      ),
    ),
    args: v.optional(argsSchema),
    pin: v.optional(
      v.pipe(
        v.array(
          v.union(
            [
              relativePathSchema('a pin entry'),
              v.strictObject(
                {
                  file: relativePathSchema('pin.file'),
                  part: v.pipe(
                    v.string('a dotted key path (JSON, TOML) or a Makefile target'),
                    v.minLength(1, 'pin.part may not be empty'),
                    v.maxLength(200, 'pin.part is at most 200 characters'),
                    noNul('pin.part'),
                  ),
                },
                'a mapping with file and part',
              ),
            ],
            'a path, or a mapping with file and part',
          ),
          'a list of paths',
        ),
        v.description(
          'More files whose content trust pins, relative to the policy folder; { file, part } pins one part of a file: a dotted key path of a JSON or TOML file (package.json scripts.test also covers pretest and posttest), or a Makefile target with what it depends on.',
        ),
      ),
    ),
    confirm: v.optional(
      v.pipe(v.boolean('true or false'), v.description('A person must approve every run.')),
    ),
    isolation: v.optional(
      v.pipe(
        v.picklist(['strict', 'best-effort'], 'strict or best-effort'),
        v.description(
          'strict (the default): refuse to run where the sandbox cannot isolate the command (no PID namespace on Linux). best-effort: run with what is available; the result says what that was.',
        ),
      ),
    ),
    limits: v.optional(
      v.pipe(
        v.strictObject(
          {
            memory: v.optional(limitSizeSchema('memory')),
            cpu: v.optional(durationSchema),
            processes: v.optional(
              v.pipe(
                v.number('a number of processes'),
                v.integer('a whole number of processes'),
                v.minValue(1, 'at least 1 process'),
              ),
            ),
            file_size: v.optional(limitSizeSchema('file_size')),
          },
          'a mapping of memory, cpu, processes and file_size',
        ),
        v.description(
          "Resource limits of the sealed program (replacing the caller's): memory (address space, e.g. 2GiB), cpu (CPU time, e.g. 30s), processes, file_size (largest file written, e.g. 100MiB). Core dumps are always off.",
        ),
      ),
    ),
    max_output: v.optional(
      v.pipe(
        v.union(
          [
            v.number('a number of bytes'),
            v.pipe(
              v.string(),
              v.regex(
                byteSizePattern,
                'expected a number of bytes or a size such as 16KiB or 1MiB (units B, KiB, MiB)',
              ),
            ),
          ],
          'a number of bytes or a size such as 16KiB',
        ),
        v.description('How much redacted output the agent gets back per stream. Default 16KiB.'),
      ),
    ),
  },
  'a command mapping',
);

const providerSchema = v.pipe(
  v.union(
    [
      providerNameSchema,
      v.looseObject({ name: providerNameSchema }, 'a mapping with a provider name'),
    ],
    'a provider name, or a mapping with name and provider options',
  ),
  v.description(
    'Where secrets come from: 1password, doppler, infisical, envfile or a provider package.',
  ),
);

/**
 * The valibot schema of the `ironrun.yml` file format, version 1, before
 * normalization. Keys are strict: an unknown key is an error.
 */
export const policyFileSchema = v.strictObject(
  {
    version: v.pipe(
      v.literal(1, 'the number 1'),
      v.description('The policy format version. Always 1.'),
    ),
    provider: providerSchema,
    defaults: v.optional(
      v.pipe(
        v.strictObject(
          {
            ttl: v.optional(durationSchema),
            no_network: v.optional(v.boolean('true or false')),
            cwd: v.optional(relativePathSchema('cwd')),
          },
          'a mapping',
        ),
        v.description('Defaults for every command: ttl, no_network and cwd.'),
      ),
    ),
    commands: v.pipe(
      v.array(commandSchema, 'a list of commands'),
      v.description('The named commands an agent may run.'),
    ),
  },
  'a mapping with version, provider and commands',
);

/** The file format as valibot reads it. */
export type PolicyFile = v.InferOutput<typeof policyFileSchema>;

let cachedJsonSchema: Record<string, unknown> | undefined;

/**
 * The JSON Schema (draft-07) of `ironrun.yml`, converted from the valibot
 * schema, for editors. The same document ships as
 * `@ironrun/policy/schema.json`. Checks JSON Schema cannot express (secret
 * reference shapes, paths staying inside the project) are left to ironrun.
 *
 * @example
 * // first line of ironrun.yml:
 * // # yaml-language-server: $schema=./node_modules/@ironrun/policy/dist/schema.json
 */
export function policyJsonSchema(): Record<string, unknown> {
  cachedJsonSchema ??= {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...toJsonSchema(policyFileSchema, { errorMode: 'ignore' }),
    title: 'ironrun.yml',
    description:
      'ironrun policy: the named commands an agent may run sealed, and the secrets each receives.',
  };
  return structuredClone(cachedJsonSchema);
}
