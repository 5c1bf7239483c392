import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema } from './policy-schema.js';

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  additionalProperties?: unknown;
};

describe('policyJsonSchema', () => {
  const schema = policyJsonSchema() as Schema;
  const command = schema.properties?.commands?.items as Schema;

  it('is a draft-07 JSON Schema titled ironrun.yml', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.title).toBe('ironrun.yml');
    expect(schema.type).toBe('object');
  });

  it('refuses unknown keys at the top and in commands, so editors flag typos', () => {
    expect(schema.additionalProperties).toBe(false);
    expect(command.additionalProperties).toBe(false);
  });

  it('requires version, provider and commands, and id and argv in each command', () => {
    expect(schema.required).toEqual(['version', 'provider', 'commands']);
    expect(command.required).toEqual(['id', 'argv']);
  });

  it('describes every command key', () => {
    expect(Object.keys(command.properties ?? {}).sort()).toEqual(
      [
        'allow',
        'allow_loader_env',
        'args',
        'argv',
        'confirm',
        'cwd',
        'description',
        'env',
        'id',
        'isolation',
        'limits',
        'max_output',
        'no_network',
        'path',
        'pin',
        'ttl',
        'write',
      ].sort(),
    );
    for (const [key, property] of Object.entries(command.properties ?? {})) {
      expect(property.description, key).toEqual(expect.any(String));
    }
  });

  it('returns a fresh copy each call', () => {
    const first = policyJsonSchema();
    first.title = 'changed';
    expect(policyJsonSchema().title).toBe('ironrun.yml');
  });

  const shipped = join(import.meta.dirname, '..', 'dist', 'schema.json');
  it.runIf(existsSync(shipped))('matches the schema.json the build ships', () => {
    expect(JSON.parse(readFileSync(shipped, 'utf8'))).toEqual(policyJsonSchema());
  });
});
