import { resolve } from 'node:path';
import type { BrokerClient } from '@ironrun/core';

/**
 * The broker as the clients inside `ironrun agent` use it: one connection
 * per call (so a call sees only its own run, and a broker restart costs
 * nothing), the policy path made absolute.
 */
export function brokerBackend(
  socketPath: string,
): Pick<BrokerClient, 'listCommands' | 'runSealed'> {
  const withClient = async <T>(use: (client: BrokerClient) => Promise<T>): Promise<T> => {
    const { connectBroker } = await import('@ironrun/core');
    const client = await connectBroker(socketPath);
    try {
      return await use(client);
    } finally {
      client.close();
    }
  };
  return {
    listCommands: (policyPath) => withClient((client) => client.listCommands(resolve(policyPath))),
    runSealed: (options) =>
      withClient((client) => client.runSealed({ ...options, policy: resolve(options.policy) })),
  };
}
