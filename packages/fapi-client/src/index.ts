export * from './flow-client.js';
