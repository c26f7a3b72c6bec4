// The typed client over a GenlTransport.
export { FalconClient, DUMP_RETRIES } from './falcon-client';
export { toFalconError, defaultMessage } from './errors';
export { ratesBetween, DEFAULT_WATCH_INTERVAL_MS } from './watch';
