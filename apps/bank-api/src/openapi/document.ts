// The OpenAPI 3 document of the API (hand-written beside this file): bank-api's contract. The types in
// generated.ts are generated from it, contract.ts checks requests and responses against it at run time,
// and it is served at /open-banking/v3.1/openapi.json with the server URL of this sandbox.
import fs from 'node:fs';

const file = new URL('./bank-api.openapi.json', import.meta.url);
export const bankApiDocument = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

export function openApiDocument(baseUrl: string): Record<string, unknown> {
  return {
    ...bankApiDocument,
    servers: [{ url: baseUrl, description: 'This sandbox (mutual TLS optional at the TLS layer)' }],
  };
}
