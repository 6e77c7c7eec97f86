// The ladder Baseline → Advanced → 2.0, side by side: what each rung adds to the one below, the clause that
// asks for it, and the attack it stops (an attack-lab id, so the learner can try it). Shown on the connect
// page and in the inspector beside a Baseline connection.

export interface LadderStep {
  /** The rung that adds it. */
  rung: 'FAPI 1.0 Advanced' | 'FAPI 2.0';
  adds: string;
  clause: string;
  stops: string;
  /** The attack-lab attack that shows it (packages/fapi-client/src/attacks). */
  attack: string;
}

export const PROFILE_LADDER: readonly LadderStep[] = [
  {
    rung: 'FAPI 1.0 Advanced',
    adds: 'Every authorization parameter in a request object Moneywise signs (JAR), or pushed with PAR',
    clause: 'FAPI 1.0 Adv §5.2.2-1',
    stops: 'Request tampering in the browser: a changed scope, claims or redirect_uri breaks the signature',
    attack: 'request-object-tampered',
  },
  {
    rung: 'FAPI 1.0 Advanced',
    adds: 'A signed authorization response (JARM, or code id_token) naming issuer and client',
    clause: 'FAPI 1.0 Adv §5.2.2-2',
    stops: 'Response tampering and mix-up: a code from another bank or a forged response fails verification',
    attack: 'jarm-tampered',
  },
  {
    rung: 'FAPI 1.0 Advanced',
    adds: 'Sender-constrained access tokens, bound to the TLS client certificate',
    clause: 'FAPI 1.0 Adv §5.2.2-5, RFC 8705 §3',
    stops: 'Replay of a stolen token: without the private key of its certificate, it is refused',
    attack: 'token-without-binding',
  },
  {
    rung: 'FAPI 2.0',
    adds: 'PAR for every request: the browser carries only a request_uri',
    clause: 'FAPI 2.0 SP §5.3.2.2-3',
    stops: 'Request tampering and leakage in the browser, without signing each request',
    attack: 'redirect-uri-altered',
  },
  {
    rung: 'FAPI 2.0',
    adds: 'The issuer in every authorization response (RFC 9207), checked by the client',
    clause: 'FAPI 2.0 SP §5.3.2.2-7, RFC 9207',
    stops: 'Mix-up: a response from another authorization server is refused',
    attack: 'mix-up-iss',
  },
  {
    rung: 'FAPI 2.0',
    adds: 'DPoP as a second way to bind tokens, with server nonces',
    clause: 'FAPI 2.0 SP §5.3.2.1-4, RFC 9449',
    stops: 'Replay of a stolen token or proof, also for clients without a certificate',
    attack: 'dpop-proof-replayed',
  },
];
