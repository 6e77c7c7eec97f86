// Validates what the tests send and receive against the served OpenAPI document (ajv): a route that
// answers something the document does not describe fails the test that called it.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext its plugin is the default export's `default`.
const addFormats = addFormatsPlugin.default;

type Json = Record<string, unknown>;

export interface OpenApiValidator {
  /** Throws unless `body` matches the request schema of the operation. */
  request(method: string, path: string, body: unknown): void;
  /** Throws unless status and body match one of the operation's documented responses. */
  response(method: string, path: string, status: number, body: unknown): void;
}

function templateFor(doc: Json, path: string): string | undefined {
  const paths = Object.keys(doc.paths as Json);
  return paths.find((template) => {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return pattern.test(path);
  });
}

export function openApiValidator(doc: Json): OpenApiValidator {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'bank-api' });
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    const known = compiled.get(ref);
    if (known) return known;
    const validate = ajv.compile({ $ref: `bank-api#${ref}` });
    compiled.set(ref, validate);
    return validate;
  };
  const resolve = (node: Json): Json => {
    const ref = node.$ref as string | undefined;
    if (!ref) return node;
    return ref
      .slice(2)
      .split('/')
      .reduce<Json>((at, key) => at[key] as Json, doc);
  };
  const operation = (method: string, path: string): Json => {
    const template = templateFor(doc, path);
    if (!template) throw new Error(`OpenAPI: no path matches ${path}`);
    const op = (doc.paths as Json)[template] as Json;
    const found = op[method.toLowerCase()] as Json | undefined;
    if (!found) throw new Error(`OpenAPI: ${method} ${template} is not documented`);
    return found;
  };
  const check = (validate: ValidateFunction, body: unknown, what: string) => {
    if (!validate(body)) {
      throw new Error(
        `OpenAPI: ${what} does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body, null, 2).slice(0, 2000)}`,
      );
    }
  };
  return {
    request(method, path, body) {
      const op = operation(method, path);
      const requestBody = op.requestBody as Json | undefined;
      if (!requestBody) return;
      const schema = ((requestBody.content as Json)['application/json'] as Json).schema as Json;
      check(validatorFor((schema.$ref as string).slice(1)), body, `request body of ${method} ${path}`);
    },
    response(method, path, status, body) {
      const op = operation(method, path);
      const documented = (op.responses as Json)[String(status)] as Json | undefined;
      if (!documented)
        throw new Error(`OpenAPI: ${method} ${path} answered ${status}, which is not documented`);
      const response = resolve(documented);
      const content = response.content as Json | undefined;
      if (!content) {
        if (body !== undefined && body !== '')
          throw new Error(`OpenAPI: ${status} of ${method} ${path} should have no body`);
        return;
      }
      const schema = (content['application/json'] as Json).schema as Json;
      check(validatorFor((schema.$ref as string).slice(1)), body, `${status} response of ${method} ${path}`);
    },
  };
}
