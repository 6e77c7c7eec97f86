// The OpenAPI 3 document of the API (hand-written beside this file), served at
// /open-banking/v3.1/openapi.json with the server URL of this sandbox. Tests validate every request and
// response they exchange against it, so the document and the routes cannot drift apart.
import fs from 'node:fs';

const file = new URL('./bank-api.openapi.json', import.meta.url);
const document = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

export function openApiDocument(baseUrl: string): Record<string, unknown> {
  return {
    ...document,
    servers: [{ url: baseUrl, description: 'This sandbox (mutual TLS optional at the TLS layer)' }],
  };
}
