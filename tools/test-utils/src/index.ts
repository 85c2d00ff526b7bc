export * from './errors.js';
export * from './networks.js';
export * from './redis.js';
export * from './signals.js';
export * from './temp.js';
export * from './tls-certs.js';
export * from './wait.js';
export * from './wav.js';
