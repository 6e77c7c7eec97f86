// The one place @peculiar/x509 is loaded: its dependency-injection container (tsyringe) needs the Reflect
// metadata polyfill first, and it signs with Node's own WebCrypto.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
