// The one place @peculiar/x509 is loaded, so every PKI module gets the same setup:
// its dependency-injection container (tsyringe) needs the Reflect metadata polyfill loaded first,
// and it must sign with Node's own WebCrypto (no OpenSSL CLI, same behaviour on every OS).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
export const subtle = webcrypto.subtle;
