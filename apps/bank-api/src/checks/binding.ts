// Check 3: the token is bound to what the caller proved it holds (FAPI 2.0 SP §5.3.4-5). A DPoP-bound
// token's cnf.jkt equals the proof key's thumbprint and travels with the DPoP scheme (RFC 9449 §6.1,
// §7.1); an mTLS-bound token's cnf.x5t#S256 equals the presented certificate's (RFC 8705 §3). So a token
// stolen from one client is useless with another client's certificate or key. The certificate must also be
// a transport certificate the directory issued to the token's software (OB DCR v3.3 §4.2), so a token bound
// to another participant's certificate is refused even if its cnf matches.
import type { FapiProfile } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { thumbprintsEqual } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { transportCertificateMismatch } from '@fapi-sandbox/fapi-core/transport-certificate';
import { refuse } from './challenge.js';
import type { Check } from './context.js';

/** bank-op's `fapi_profile` of FAPI 1.0 Part 1 (Baseline), the one profile whose tokens are not bound. */
const BASELINE: FapiProfile = 'fapi1-baseline';

export function bindingCheck(): Check {
  return {
    name: 'Binding: token cnf matches the proof key or certificate',
    clause: 'RFC 9449 §6.1 and §7.1; RFC 8705 §3; FAPI 2.0 SP §5.3.4-5',
    run(ctx) {
      const { scheme } = ctx.credentials!;
      const token = ctx.token!;
      const jkt = token.cnf?.jkt;
      const x5t = token.cnf?.['x5t#S256'];
      const reject = (description: string, clause: string, fix: string) =>
        refuse(scheme, { status: 401, error: 'invalid_token', description, clause, fix });

      // FAPI 1.0 Part 1 §6.2.1-2 (RFC 6750 §2.1): a Baseline client's token is a bearer token, accepted as
      // such, and only for Baseline: bank-op names the client's profile in the token it signed.
      if (!jkt && !x5t && token.fapi_profile === BASELINE && scheme === 'Bearer') {
        return 'no cnf: a FAPI 1.0 Baseline bearer token (Part 1 section 6.2.1-2), usable by whoever holds it; Advanced and FAPI 2.0 bind the token to the client';
      }
      // RFC 8705 §3: any other token sent as Bearer is only usable on a connection that presents its certificate.
      if (scheme === 'Bearer' && !ctx.certificate) {
        throw reject(
          'A Bearer token arrived on a TLS connection without a client certificate',
          'RFC 8705 §3, FAPI 2.0 SP §5.3.4-5',
          'call over mutual TLS with the transport certificate the token was issued to, or use a DPoP-bound token with the DPoP scheme',
        );
      }
      // FAPI 2.0 SP §5.3.4-5 / FAPI 1.0 Adv §6.2.1-2: a token not bound to a key or certificate is a bearer instrument.
      if (!jkt && !x5t) {
        throw reject(
          'The token is not sender-constrained (it has no cnf.jkt or cnf.x5t#S256)',
          'FAPI 2.0 SP §5.3.4-5, FAPI 1.0 Adv §6.2.1-2',
          'obtain the token with a DPoP proof or over mutual TLS so bank-op binds it',
        );
      }
      if (jkt) {
        // RFC 9449 §7.1: a DPoP-bound token is presented with the DPoP scheme and a proof, never as Bearer.
        if (scheme !== 'DPoP' || !ctx.dpop) {
          throw reject(
            'The token is DPoP-bound but was sent with the Bearer scheme',
            'RFC 9449 §7.1',
            "send 'Authorization: DPoP <token>' with a DPoP proof signed by the token's key",
          );
        }
        // RFC 9449 §4.3 check 12 / §6.1: the proof is signed by the key the token is bound to.
        if (!thumbprintsEqual(ctx.dpop.jkt, jkt)) {
          throw reject(
            `The DPoP proof is signed by key ${ctx.dpop.jkt}, but the token is bound to key ${jkt}`,
            'RFC 9449 §4.3 check 12, §6.1',
            'sign the proof with the key pair the token was issued to (a token of another client is refused)',
          );
        }
        return `cnf.jkt ${jkt} equals the DPoP proof key's thumbprint`;
      }
      // RFC 9449 §7.1: the DPoP scheme is only for DPoP-bound tokens.
      if (scheme !== 'Bearer' || !ctx.certificate) {
        throw reject(
          'The token is bound to a client certificate (cnf.x5t#S256) but was sent with the DPoP scheme',
          'RFC 8705 §3, RFC 9449 §7.1',
          "send 'Authorization: Bearer <token>' over mutual TLS with the certificate the token was issued to",
        );
      }
      // RFC 8705 §3: the certificate on this connection is the one the token was issued to.
      if (!thumbprintsEqual(ctx.certificate.x5tS256, x5t!)) {
        throw reject(
          `The client certificate's thumbprint ${ctx.certificate.x5tS256} is not the token's cnf.x5t#S256 ${x5t}`,
          'RFC 8705 §3',
          'call with the transport certificate the token was issued to (a token of another client is refused)',
        );
      }
      // RFC 8705 §3 with OB DCR v3.3 §4.2: and it is a transport certificate of the software the token was
      // issued to, so a token bound to another participant's certificate is refused even when cnf matches.
      // A token naming no software is refused by the participant check that follows.
      const { software_id: softwareId, org_id: orgId } = token;
      if (softwareId && orgId) {
        const mismatch = transportCertificateMismatch(ctx.certificateStatus, { orgId, softwareId });
        if (mismatch) {
          throw reject(
            `${mismatch}; the token was issued to software ${softwareId}`,
            'RFC 8705 §3, OB DCR v3.3 §4.2',
            `present the transport certificate the directory issued to your software ${softwareId}, with a token bound to it`,
          );
        }
      }
      return `cnf.x5t#S256 ${x5t} equals the client certificate's thumbprint, a transport certificate the directory issued to software ${softwareId ?? '?'}`;
    },
  };
}
