// A signed resource call explained (FAPI 2.0 Message Signing, non-repudiation NR5/NR6): for the request
// and the response, which key signed, when, and what the signature covers, component by component, read
// from the Signature-Input header (RFC 9421 §4.1). The parties verified the signatures; this only reads.
import type { TimelineEntry } from '../../shared/timeline.js';
import { ClauseChip } from './ClauseChip.js';

export interface SignatureInput {
  label: string;
  covered: string[];
  keyid?: string;
  created?: number;
  tag?: string;
}

/** Reads `label=("c1" "c2";req);created=…;keyid="…";tag="…"` for display (the parties parse it strictly). */
export function readSignatureInput(header: string | undefined): SignatureInput | undefined {
  const match = header ? /^\s*([\w.*-]+)=\(([^)]*)\)(.*)$/.exec(header) : null;
  if (!match) return undefined;
  const params = new Map(
    [...match[3]!.matchAll(/;([\w-]+)=("([^"]*)"|\d+)/g)].map((m) => [m[1]!, m[3] ?? m[2]!] as const),
  );
  const created = params.get('created');
  return {
    label: match[1]!,
    covered: match[2]!.match(/"[^"]+"(?:;[\w-]+(?:="[^"]*")?)*/g) ?? [],
    ...(params.get('keyid') ? { keyid: params.get('keyid')! } : {}),
    ...(created ? { created: Number(created) } : {}),
    ...(params.get('tag') ? { tag: params.get('tag')! } : {}),
  };
}

const MEANING: Record<string, string> = {
  '"@method"': 'the HTTP method: what is asked (POST creates)',
  '"@target-uri"': 'the full URL: which resource, at which bank',
  '"authorization"': 'the access token: under which grant and consent',
  '"dpop"': 'the DPoP proof: the key the token is bound to',
  '"content-digest"': 'the SHA-256 of the body: payee, amount and reference, byte for byte',
  '"x-fapi-interaction-id"': 'the interaction id both parties file the call under',
  '"x-idempotency-key"': 'the idempotency key: which payment this is, retries included',
  '"@status"': 'the status: what became of the request',
};

/** What a covered component means; `;req` components are the request's, seen from the response. */
export function meaningOf(component: string, side: 'request' | 'response' = 'request'): string {
  const [name, ...params] = component.split(';');
  const fromRequest = params.includes('req');
  if (name === '"content-digest"' && side === 'response' && !fromRequest)
    return 'the SHA-256 of the answer’s body: what the bank says it did';
  if (name === '"signature"' && fromRequest)
    return 'Moneywise’s request signature: this answer is to that request';
  if (name === '"signature-input"' && fromRequest) return 'what Moneywise’s request signature covered';
  const meaning = MEANING[name!] ?? 'a header of the message';
  return fromRequest ? `from the request: ${meaning}` : meaning;
}

function SignatureBlock({
  title,
  side,
  headers,
}: {
  title: string;
  side: 'request' | 'response';
  headers: Record<string, string> | undefined;
}) {
  const input = readSignatureInput(headers?.['signature-input']);
  if (!input) return null;
  return (
    <div data-testid="message-signature-side">
      <h4>{title}</h4>
      <p>
        Key <code>{input.keyid ?? '—'}</code>, tag <code>{input.tag ?? '—'}</code>, created{' '}
        {input.created ? new Date(input.created * 1000).toISOString() : '—'}
      </p>
      <table className="covered">
        <thead>
          <tr>
            <th scope="col">Covered</th>
            <th scope="col">What it pins down</th>
          </tr>
        </thead>
        <tbody>
          {input.covered.map((component) => (
            <tr key={component}>
              <td>
                <code>{component}</code>
              </td>
              <td>{meaningOf(component, side)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {headers?.['content-digest'] ? (
        <p>
          Content-Digest <code className="wrap">{headers['content-digest']}</code>{' '}
          <ClauseChip clause="RFC 9530 §2" />
        </p>
      ) : null}
    </div>
  );
}

export function MessageSignature({ entry }: { entry: TimelineEntry }) {
  const signedRequest = entry.requestHeaders?.['signature-input'] !== undefined;
  const signedResponse = entry.responseHeaders?.['signature-input'] !== undefined;
  if (!signedRequest && !signedResponse) return null;
  return (
    <section aria-label="Message signatures" className="message-signature" data-testid="message-signature">
      <h3>HTTP message signatures</h3>
      <p>
        Non-repudiation: a party that signed a message with its own key cannot convincingly deny having sent
        it. TLS protects the connection and ends there; these signatures travel with the message, so each side
        can keep the other’s message and signature as evidence.{' '}
        <ClauseChip clause="FAPI 2.0 Message Signing §5.2" />
      </p>
      <SignatureBlock title="Moneywise signed the request" side="request" headers={entry.requestHeaders} />
      {signedRequest ? (
        <p className="muted">
          The key is one of Moneywise’s software statement JWKS, which the directory publishes: the bank looks
          it up by keyid for the software the access token names, and refuses the call without a valid
          signature. <ClauseChip clause="FAPI 2.0 HTTP Signatures §5.3.1.2" />
        </p>
      ) : null}
      <SignatureBlock title="The bank signed its answer" side="response" headers={entry.responseHeaders} />
      {signedResponse ? (
        <p className="muted">
          The bank’s key is published at its API’s /jwks. Covering Moneywise’s request signature (
          <code>;req</code>) binds the answer to this very request: it cannot be replayed as the answer to
          another. <ClauseChip clause="FAPI 2.0 HTTP Signatures §5.3.2.1, RFC 9421 §2.4" />
        </p>
      ) : null}
    </section>
  );
}
