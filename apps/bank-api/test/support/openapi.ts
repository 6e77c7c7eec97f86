// Checks what the tests send and receive against the served OpenAPI document, with the same contract
// bank-api enforces (src/openapi/contract.ts): a route that answers something the document does not
// describe fails the test that called it, and so does a test that sends a body the document forbids.
import { createApiContract, type DocumentedOperation } from '../../src/openapi/contract.js';

type Json = Record<string, unknown>;

export interface OpenApiValidator {
  /** Throws unless `body` matches the request schema of the operation. */
  request(method: string, path: string, body: unknown): void;
  /** Throws unless status and body match one of the operation's documented responses. */
  response(method: string, path: string, status: number, body: unknown): void;
}

export function openApiValidator(doc: Json): OpenApiValidator {
  const contract = createApiContract(doc);
  /** The operation whose path template (`/aisp/accounts/{AccountId}`) matches a concrete path. */
  const operation = (method: string, path: string): DocumentedOperation => {
    const found = contract.operations.find(
      (op) =>
        op.method === method.toUpperCase() &&
        new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
    );
    if (!found) throw new Error(`OpenAPI: ${method} ${path} is not documented`);
    return found;
  };
  return {
    request(method, path, body) {
      const op = operation(method, path);
      const item = (doc.paths as Record<string, Record<string, Json>>)[op.path]![method.toLowerCase()]!;
      if (item.requestBody) contract.requestBody(op.operationId, body);
    },
    response(method, path, status, body) {
      const op = operation(method, path);
      const item = (doc.paths as Record<string, Record<string, Json>>)[op.path]![method.toLowerCase()]!;
      if (!(item.responses as Json)[String(status)])
        throw new Error(`OpenAPI: ${method} ${path} answered ${status}, which is not documented`);
      const breach = contract.responseBreach(op.operationId, status, body === '' ? undefined : body);
      if (breach)
        throw new Error(
          `OpenAPI: ${method} ${path}: ${breach}\n${JSON.stringify(body, null, 2).slice(0, 2000)}`,
        );
    },
  };
}
