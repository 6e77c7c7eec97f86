// bank-api's contract is its OpenAPI document (bank-api.openapi.json), kept once: the TypeScript types in
// generated.ts come from it (`pnpm --filter @fapi-sandbox/bank-api generate`), and this module compiles its
// schemas with ajv to check, at run time, every request a route accepts and every response it sends.
// A bad request is the caller's fault: 400 with the UK.OBIE code, the field's Path and the fix. A response
// outside the document is bank-api's own bug: it is logged and never sent (fail closed).

import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import type { Logger } from '@fapi-sandbox/fapi-core/log';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { NextFunction, Request, Response } from 'express';
import { ObRequestError, obErrorBody } from '../errors.js';
import { bankApiDocument } from './document.js';
import type { operations } from './generated.js';

// ajv-formats is CommonJS: under NodeNext its plugin is the default export's `default`.
const addFormats = addFormatsPlugin.default;

export type OperationId = keyof operations;
type JsonBody<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
/** The JSON request body an operation accepts, as the document describes it. */
export type RequestBodyOf<Op extends OperationId> = JsonBody<operations[Op]['requestBody']>;
/** The query parameters an operation accepts (all strings, as sent). */
export type QueryOf<Op extends OperationId> = NonNullable<operations[Op]['parameters']['query']>;

const DOCUMENT_URL = 'GET /open-banking/v3.1/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface SchemaRef {
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  schema: unknown;
}
interface Operation {
  operationId: OperationId;
  parameters?: (Parameter | SchemaRef)[];
  requestBody?: { required?: boolean; content: { 'application/json': { schema: SchemaRef } } };
  responses: Record<string, SchemaRef & { content?: { 'application/json': { schema: SchemaRef } } }>;
}

/** One documented operation: its method, its path template (`/aisp/accounts/{AccountId}`) and its id. */
export interface DocumentedOperation {
  method: string;
  path: string;
  operationId: OperationId;
}

/** `/aisp/accounts/:AccountId` (an express route) → `/aisp/accounts/{AccountId}` (an OpenAPI path). */
export function openApiPathOf(routePath: string): string {
  return routePath.replace(/:(\w+)/g, '{$1}');
}

/** `/Data/Initiation/0` (a JSON pointer) → `Data.Initiation.0`, the UK OB Path of the field. */
function fieldOf(error: ErrorObject): string {
  const at = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') at.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') at.push(String(error.params.additionalProperty));
  return at.join('.');
}

/** UK OB R/W API v3.1 error codes: a field that is missing, not allowed, or not as the schema says. */
function requestError(error: ErrorObject, where: string, schemaName: string): ObRequestError {
  const field = fieldOf(error) || where;
  const clause = `UK OB R/W API v3.1 ${schemaName}, see ${DOCUMENT_URL}`;
  switch (error.keyword) {
    case 'required':
      return new ObRequestError(
        400,
        'UK.OBIE.Field.Missing',
        `Missing field ${field}`,
        clause,
        `send ${field}`,
        field,
      );
    case 'additionalProperties':
      return new ObRequestError(
        400,
        'UK.OBIE.Field.Unexpected',
        `Unexpected field ${field}`,
        clause,
        'remove the field; this bank does not support it',
        field,
      );
    case 'enum':
      return new ObRequestError(
        400,
        'UK.OBIE.Field.Invalid',
        `Invalid ${field}: not one of the values the document allows`,
        clause,
        `send one of ${(error.params.allowedValues as unknown[]).join(', ')}`,
        field,
      );
    case 'pattern':
    case 'format':
      return new ObRequestError(
        400,
        'UK.OBIE.Field.Invalid',
        `Invalid ${field}: not in the format the document gives`,
        clause,
        `send ${field} in the format of ${schemaName} in the OpenAPI document`,
        field,
      );
    default:
      return new ObRequestError(
        400,
        'UK.OBIE.Field.Invalid',
        `Invalid ${field}: ${error.message ?? 'does not match the document'}`,
        clause,
        `send ${field} as ${schemaName} in the OpenAPI document describes`,
        field,
      );
  }
}

/** `/Risk must NOT have additional properties: InternalFraudScore`, for the log. */
function describe(error: ErrorObject): string {
  const extra = error.keyword === 'additionalProperties' ? `: ${error.params.additionalProperty}` : '';
  return `${error.instancePath || '/'} ${error.message}${extra}`;
}

export interface ApiContract {
  /** Every operation the document describes. */
  readonly operations: readonly DocumentedOperation[];
  /** The documented operation an express route serves, if any. */
  operationFor(method: string, routePath: string): DocumentedOperation | undefined;
  /** The request body, checked against the operation's schema; else a 400 naming the field. */
  requestBody<Op extends OperationId>(operationId: Op, body: unknown): RequestBodyOf<Op>;
  /** The query parameters, checked against the operation's; else a 400 naming the parameter. */
  query<Op extends OperationId>(operationId: Op, query: unknown): QueryOf<Op>;
  /** Why a response breaks the contract, or undefined when it keeps it. */
  responseBreach(operationId: OperationId | undefined, status: number, body: unknown): string | undefined;
}

export function createApiContract(document: Record<string, unknown> = bankApiDocument): ApiContract {
  const ajv = new Ajv({ strict: false });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: 'bank-api' });

  const byId = new Map<OperationId, Operation>();
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Operation>>)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      byId.set(operation.operationId, operation);
      operations.push({ method: method.toUpperCase(), path, operationId: operation.operationId });
    }
  }

  const compiled = new Map<string, ValidateFunction>();
  const validatorOf = (key: string, schema: object) => {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      compiled.set(key, validate);
    }
    return validate;
  };
  const refValidator = (ref: string) => validatorOf(ref, { $ref: `bank-api${ref}` });
  const resolve = <T>(node: T | SchemaRef): T => {
    const ref = (node as SchemaRef).$ref;
    if (!ref) return node as T;
    return ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], document) as T;
  };
  const operation = (operationId: OperationId): Operation => {
    const found = byId.get(operationId);
    if (!found) throw new Error(`${operationId} is not an operation of the OpenAPI document`);
    return found;
  };
  const schemaNameOf = (ref: string | undefined) => ref?.split('/').at(-1) ?? 'the operation';

  // Compile every schema the operations use now: a broken document fails at start, not on a request.
  refValidator('#/components/schemas/OBErrorResponse1');
  for (const { operationId } of operations) {
    const op = operation(operationId);
    const body = op.requestBody?.content['application/json'].schema.$ref;
    if (body) refValidator(body);
    for (const response of Object.values(op.responses)) {
      const schema =
        resolve<NonNullable<Operation['responses'][string]>>(response).content?.['application/json'].schema
          .$ref;
      if (schema) refValidator(schema);
    }
  }

  return {
    operations,

    operationFor(method, routePath) {
      const path = openApiPathOf(routePath);
      return operations.find((op) => op.method === method.toUpperCase() && op.path === path);
    },

    requestBody(operationId, body) {
      const schema = operation(operationId).requestBody?.content['application/json'].schema;
      if (!schema?.$ref) throw new Error(`${operationId} takes no JSON body in the OpenAPI document`);
      if (body === undefined || body === null || typeof body !== 'object') {
        throw new ObRequestError(
          400,
          'UK.OBIE.Resource.InvalidFormat',
          'The request has no JSON body',
          'UK OB R/W API v3.1',
          "send the request as JSON with 'Content-Type: application/json'",
        );
      }
      const validate = refValidator(schema.$ref);
      if (!validate(body)) throw requestError(validate.errors![0]!, 'body', schemaNameOf(schema.$ref));
      return body as RequestBodyOf<typeof operationId>;
    },

    query(operationId, query) {
      const parameters = (operation(operationId).parameters ?? [])
        .map((p) => resolve<Parameter>(p))
        .filter((p) => p.in === 'query');
      // Unknown query parameters are ignored, as UK OB filtering allows; the documented ones must match.
      const validate = validatorOf(`${operationId} query`, {
        type: 'object',
        properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema])),
        required: parameters.filter((p) => p.required).map((p) => p.name),
      });
      if (!validate(query)) throw requestError(validate.errors![0]!, 'query', `${operationId} query`);
      return query as QueryOf<typeof operationId>;
    },

    responseBreach(operationId, status, body) {
      const documented = operationId ? operation(operationId).responses[String(status)] : undefined;
      if (operationId && status < 400 && !documented) return `${operationId} does not document ${status}`;
      // Every error has the UK OB error shape, documented status or not (413, 415, 500, ...).
      const schema = documented
        ? resolve<NonNullable<Operation['responses'][string]>>(documented).content?.['application/json']
            .schema
        : status >= 400
          ? { $ref: '#/components/schemas/OBErrorResponse1' }
          : undefined;
      if (!schema?.$ref) return body === undefined ? undefined : `${status} should have no body`;
      const validate = refValidator(schema.$ref);
      if (validate(body)) return undefined;
      return `${status} is not ${schemaNameOf(schema.$ref)}: ${validate.errors!.map(describe).join('; ')}`;
    },
  };
}

/**
 * Express middleware for the API router: every JSON response is checked against the operation of the
 * route that sends it. One that breaks the contract is logged and replaced by a 500, so no field the
 * document does not promise (a Detail field under a Basic consent, say) ever leaves the bank.
 */
export function enforceResponseContract(contract: ApiContract, log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const route = req.route as { path?: string } | undefined;
      const operation = route?.path ? contract.operationFor(req.method, route.path) : undefined;
      const breach = contract.responseBreach(operation?.operationId, res.statusCode, body);
      if (!breach) return send(body);
      // The path without its query string: a query can carry what a log must not keep.
      log.error({ breach }, `contract breach: ${req.method} ${req.baseUrl}${req.path}: ${breach}`);
      const message = composeDescription({
        description: 'bank-api built a response its OpenAPI document does not allow, and did not send it',
        fix: 'this is a bug in bank-api; its log names the field. Report it with the x-fapi-interaction-id',
      });
      res.status(500);
      return send(
        obErrorBody(500, { ErrorCode: 'UK.OBIE.UnexpectedError', Message: message }, 'server_error'),
      );
    };
    next();
  };
}
