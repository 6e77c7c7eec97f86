// Small bend hooks the catalogue composes: edit one kind of outgoing message of one step.
import type { Bend, HttpMessage, JwtMessage } from '../bend.js';

/** Edits the JWTs of one purpose (optionally of one step); leaves every other message alone. */
export function onJwt(
  purpose: JwtMessage['purpose'],
  edit: (message: JwtMessage) => void,
  step?: string,
): Bend {
  return (message) => {
    if (message.kind !== 'jwt' || message.purpose !== purpose) return undefined;
    if (step && message.step !== step) return undefined;
    edit(message);
    return message;
  };
}

/** Edits the HTTP requests of one step; `edit` returns false to leave a request as it is. */
export function onHttp(step: string, edit: (message: HttpMessage) => unknown): Bend {
  return (message) => {
    if (message.kind !== 'http' || message.step !== step) return undefined;
    return edit(message) === false ? undefined : message;
  };
}

/**
 * Keeps the first value `read` finds in a step's requests and puts it into every later one (a replay):
 * the first request goes out untouched.
 */
export function replayFirst(
  step: string,
  read: (message: HttpMessage) => string | undefined,
  write: (message: HttpMessage, value: string) => void,
): Bend {
  let kept: string | undefined;
  return onHttp(step, (message) => {
    if (kept === undefined) {
      kept = read(message);
      return false;
    }
    write(message, kept);
    return true;
  });
}

/** A JWS with its payload replaced and the original signature kept: what tampering in transit looks like. */
export function withPayload(jws: string, edit: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = jws.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  edit(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

// Stays `.localhost` under any base domain: no party answers for it, and no request is ever sent to it.
export const ATTACKER = 'https://attacker.localhost';
