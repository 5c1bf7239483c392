import { describe, expect, it } from 'vitest';
import { credentialInputs } from './inputs.js';
import { credentialTargets, providerEnv } from './provider-env.js';

const policy = (name: string, options: Record<string, unknown> = {}) => ({
  provider: { name, options },
});

describe('providerEnv', () => {
  it('puts each credential input under the variable its provider reads', () => {
    const env = providerEnv(
      {
        credentials: {
          'doppler-token': 'dp.st.token',
          'infisical-client-id': 'client-id',
          'infisical-client-secret': 'client-secret',
          'op-service-account-token': 'ops_token',
        },
      },
      policy('doppler'),
      {},
    );
    expect(env).toEqual({
      DOPPLER_TOKEN: 'dp.st.token',
      INFISICAL_CLIENT_ID: 'client-id',
      INFISICAL_CLIENT_SECRET: 'client-secret',
      OP_SERVICE_ACCOUNT_TOKEN: 'ops_token',
    });
  });

  it("follows a Doppler policy's token_env", () => {
    const env = providerEnv(
      { credentials: { 'doppler-token': 'dp.st.token' } },
      policy('doppler', { token_env: 'PRD_TOKEN' }),
      {},
    );
    expect(env).toEqual({ PRD_TOKEN: 'dp.st.token' });
  });

  it('follows the Infisical and 1Password variable renames, for their own provider only', () => {
    const credentials = {
      'infisical-client-id': 'client-id',
      'infisical-client-secret': 'client-secret',
      'op-service-account-token': 'ops_token',
    } as const;
    expect(
      providerEnv(
        { credentials },
        policy('infisical', {
          client_id_env: 'ID_VAR',
          client_secret_env: 'SECRET_VAR',
          token_env: 'X',
        }),
        {},
      ),
    ).toEqual({
      ID_VAR: 'client-id',
      SECRET_VAR: 'client-secret',
      OP_SERVICE_ACCOUNT_TOKEN: 'ops_token',
    });
    expect(providerEnv({ credentials }, policy('1password', { token_env: 'OP_VAR' }), {})).toEqual({
      INFISICAL_CLIENT_ID: 'client-id',
      INFISICAL_CLIENT_SECRET: 'client-secret',
      OP_VAR: 'ops_token',
    });
  });

  it("keeps the step's own environment but none of the action's INPUT_ variables", () => {
    const env = providerEnv({ credentials: {} }, policy('doppler'), {
      DOPPLER_PROJECT: 'web',
      'INPUT_DOPPLER-TOKEN': 'dp.st.token',
      INPUT_COMMAND: 'deploy',
    });
    expect(env).toEqual({ DOPPLER_PROJECT: 'web' });
  });

  it('lets an input override a variable of the same name from the environment', () => {
    const env = providerEnv({ credentials: { 'doppler-token': 'from-input' } }, policy('doppler'), {
      DOPPLER_TOKEN: 'from-env',
    });
    expect(env.DOPPLER_TOKEN).toBe('from-input');
  });

  it('sends every credential input to the built-in provider whose package.json declares it', () => {
    const targets = credentialTargets();
    for (const input of credentialInputs) {
      expect(targets[input]?.provider, input).toMatch(/^[a-z0-9]+$/);
      expect(targets[input]?.variable, input).toMatch(/^[A-Z][A-Z0-9_]+$/);
    }
  });
});
