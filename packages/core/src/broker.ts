/**
 * The broker of `ironrun agent` alone: the same `startBroker` `@ironrun/core`
 * exports, as a separate entry that loads the broker's pipeline (policy,
 * sandbox, redactor) only when a request needs it or it is warmed, so the
 * confined agent can start first.
 */
export type { BrokerHandle, BrokerOptions } from './broker-server.js';
export { startBroker } from './broker-server.js';
