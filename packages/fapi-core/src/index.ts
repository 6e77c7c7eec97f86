// fapi-core: what every party of the sandbox shares. Import a module directly
// (`@fapi-sandbox/fapi-core/tls`) or everything from here.
export * from './certificate-identity.js';
export * from './config.js';
export * from './directory-client.js';
export * from './errors.js';
export * from './fapi-headers.js';
export * from './html.js';
export * from './jose/index.js';
export * from './peer-certificate.js';
export * from './same-origin.js';
export * from './security-headers.js';
export * from './software-statement.js';
export * from './tls.js';
export * from './trace.js';
export * from './web-root.js';
