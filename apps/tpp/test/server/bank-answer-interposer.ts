// The attacker of the tampered-answer tests: a TLS proxy on the path between Moneywise and the bank API,
// holding a certificate the sandbox PKI issued for the bank API's host name (what a compromised load
// balancer or TLS-inspecting appliance holds). It answers on the bank API's configured address and relays
// each request, as Moneywise sent it, to the real bank-api listening on a port of its own (a replica's
// view of the same origin, so bank-api's own checks still see the URL Moneywise signed); on the way back
// it tampers with the answer to a payment submission. It never answers in bank-api's place.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { signResponse } from '@fapi-sandbox/fapi-core/http-signatures';
import { close, listen, mtlsServerOptions, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { request } from 'undici';

/** What the attacker does to the bank's answer to POST /pisp/domestic-payments. */
export type Tampering =
  /** Relays the answer untouched: the control case. */
  | 'none'
  /** Drops Signature, Signature-Input and Content-Digest. */
  | 'unsigned'
  /** Changes the amount in the body and keeps the bank's digest and signature. */
  | 'body-altered'
  /** Re-signs the answer (new digest, new signature) with a key of its own, not one of bank-api's JWKS. */
  | 'foreign-key'
  /** Swaps the answer's x-fapi-interaction-id (which the bank's signature covers) for another. */
  | 'interaction-id-swapped';

export const ATTACKER_KID = 'interposer-es256';

export interface Interposer {
  tampering: Tampering;
  stop(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host'];

function withoutHopByHop(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name, value]) => value !== undefined && !HOP_BY_HOP.includes(name))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startInterposer(config: SandboxConfig, upstreamPort: number): Promise<Interposer> {
  const origin = config.bankApi.web.origin;
  const upstream = `https://${config.bankApi.web.host}:${upstreamPort}`;
  // It relays with Moneywise's transport certificate, as the brief of the attack allows: the attack is on
  // the answer, not on the client's identity.
  const agent = transportAgentFor(config.participants.demo, config);
  const attackerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  const state: Interposer = {
    tampering: 'none',
    async stop() {
      await close(server);
      await agent.close();
    },
  };

  async function tamper(
    sent: { method: string; url: string; headers: Record<string, string> },
    answer: { status: number; headers: Record<string, string>; body: string },
  ): Promise<{ headers: Record<string, string>; body: string }> {
    const { signature: _s, 'signature-input': _i, 'content-digest': _d, ...unsigned } = answer.headers;
    switch (state.tampering) {
      case 'none':
        return answer;
      case 'unsigned':
        return { headers: unsigned, body: answer.body };
      case 'body-altered': {
        const json = JSON.parse(answer.body) as {
          Data: { Initiation: { InstructedAmount: { Amount: string } } };
        };
        json.Data.Initiation.InstructedAmount.Amount = '9999.00';
        return { headers: answer.headers, body: JSON.stringify(json) };
      }
      case 'interaction-id-swapped':
        return { headers: { ...answer.headers, 'x-fapi-interaction-id': randomUUID() }, body: answer.body };
      case 'foreign-key': {
        const { headers } = await signResponse(
          { kid: ATTACKER_KID, alg: 'ES256', key: attackerKey },
          { status: answer.status, headers: unsigned, body: answer.body },
          sent,
        );
        return { headers: { ...unsigned, ...headers }, body: answer.body };
      }
    }
  }

  async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const headers = withoutHopByHop(req.headers);
    const upstreamAnswer = await request(`${upstream}${req.url}`, {
      method: method as 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
      dispatcher: agent,
    });
    const answer = {
      status: upstreamAnswer.statusCode,
      headers: withoutHopByHop(upstreamAnswer.headers),
      body: await upstreamAnswer.body.text(),
    };
    const isSubmission = method === 'POST' && (req.url ?? '').endsWith('/pisp/domestic-payments');
    const out = isSubmission ? await tamper({ method, url: `${origin}${req.url}`, headers }, answer) : answer;
    res.writeHead(answer.status, out.headers).end(out.body);
  }

  const server = https.createServer(mtlsServerOptions(config.bankApi, config), (req, res) => {
    relay(req, res).catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`interposer: ${String(err)}`);
    });
  });
  await listen(server, config.bankApi.web);
  return state;
}
