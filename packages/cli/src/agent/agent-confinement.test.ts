import { describe, expect, it } from 'vitest';
import { agentEnvironment, brokerSocket, isConfined } from './agent-confinement.js';

describe('agentEnvironment', () => {
  it('removes every credential variable and says where the broker is', () => {
    const env = agentEnvironment(
      { PATH: '/bin', DOPPLER_TOKEN: 'dp.st.x', OP_SESSION: 'y', TERM: 'xterm' },
      { variables: ['DOPPLER_TOKEN', 'OP_SESSION'], socketPath: '/run/b.sock', kind: 'unshare' },
    );
    expect(env).toEqual({
      PATH: '/bin',
      TERM: 'xterm',
      IRONRUN_BROKER: '/run/b.sock',
      IRONRUN_CONFINED: 'unshare',
    });
  });
});

describe('brokerSocket', () => {
  it('takes only an absolute socket path', () => {
    expect(brokerSocket({ IRONRUN_BROKER: '/run/b.sock' })).toBe('/run/b.sock');
    expect(brokerSocket({ IRONRUN_BROKER: 'b.sock' })).toBeUndefined();
    expect(brokerSocket({})).toBeUndefined();
  });
});

describe('isConfined', () => {
  it('is true when ironrun agent said so, false in an ordinary process', () => {
    expect(isConfined({ IRONRUN_CONFINED: 'bubblewrap' }, '/nonexistent/ironrun')).toBe(true);
    expect(isConfined({}, '/nonexistent/ironrun')).toBe(false);
  });
});
