export * from './customer/customer-browser.js';
export * from './flow-client.js';
