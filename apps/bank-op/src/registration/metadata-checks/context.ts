// What every registration metadata check sees and how it refuses: the request, the verified software
// statement, the profile the request chose, and the metadata built so far by the checks before it.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { JSONWebKeySet } from 'jose';
import type { ProfileDefinition } from '../../profiles/index.js';
import type { VerifiedSoftwareStatement } from '../software-statement.js';

export type RegistrationRequest = Record<string, unknown>;

export interface MetadataContext {
  request: RegistrationRequest;
  statement: VerifiedSoftwareStatement;
  profile: ProfileDefinition;
  /** RFC 4514 subject of the transport certificate the registration arrived with. */
  transportSubjectDn: string;
  /** The software's JWKS from the directory (already checked against the profile). */
  softwareJwks: JSONWebKeySet;
  /** The client metadata to register, written by the checks in order. */
  metadata: Record<string, unknown>;
}

/** One rule on the registration request: writes what it decides into `metadata`, or throws an OAuthError. */
export interface MetadataCheck {
  name: string;
  run(context: MetadataContext): void;
}

export function invalidMetadata(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_client_metadata', description, clause, fix });
}

/** The clauses of the profile's rules with these ids (those the profile has), for an error. */
export function clausesOf(profile: ProfileDefinition, ...ids: string[]): string | undefined {
  const clauses = profile.rules.filter((rule) => ids.includes(rule.id)).map((rule) => rule.clause);
  return clauses.length > 0 ? clauses.join(', ') : undefined;
}

// RFC 7591 §2: metadata values have the JSON types the registry gives them.
export function optionalString(request: RegistrationRequest, name: string): string | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalidMetadata(`${name} must be a string`, 'RFC 7591 §2', `send ${name} as a JSON string`);
  }
  return value;
}

export function optionalStringList(request: RegistrationRequest, name: string): string[] | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidMetadata(
      `${name} must be an array of strings`,
      'RFC 7591 §2',
      `send ${name} as a JSON array of strings`,
    );
  }
  return value as string[];
}

export function optionalBoolean(request: RegistrationRequest, name: string): boolean | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidMetadata(`${name} must be true or false`, 'RFC 7591 §2', `send ${name} as a JSON boolean`);
  }
  return value;
}
