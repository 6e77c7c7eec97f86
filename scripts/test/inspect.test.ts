// `pnpm inspect --bundle` against the real directory, bank-op and bank-api: the learner's own messages, read
// with their bundle's transport certificate, in time order, in the terminal and on the local page, and none
// of another participant's (Moneywise's), which the parties never hand to the learner's certificate.
import fs from 'node:fs';
import path from 'node:path';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { fetch } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInspect } from '../src/inspect/cli.js';
import { customerConsents } from './support/journey.js';
import { createLearnerBundle, participantFromBundle } from './support/learner-bundle.js';
import { useRunningParties } from './support/parties.js';

const variant = (id: string) => FLOW_VARIANTS.find((v) => v.id === id)!;

describe('pnpm inspect, the learner’s own inspector', () => {
  let config: SandboxConfig;
  let bundle: ClientBundle;
  let bundleFile: string;
  let learner: FapiFlowClient;
  useRunningParties((started) => {
    config = started;
  });

  beforeAll(async () => {
    // Moneywise reads accounts too: its events are at the same parties, filed under Moneywise.
    const moneywise = await FapiFlowClient.connect({ config, variant: variant('fapi2-mtls') });
    await moneywise.api(await customerConsents(moneywise), 'GET', '/aisp/accounts');
    await moneywise.close();

    // A learner's name is data: the page must show it as text, never as markup.
    bundle = await createLearnerBundle(config, { clientName: 'Acme <b>Budget</b> App' });
    const folder = path.join(config.dataDir, 'learner');
    const participant = participantFromBundle(bundle, folder);
    bundleFile = path.join(folder, `${bundle.software.softwareId}.bundle.json`);
    fs.writeFileSync(bundleFile, JSON.stringify(bundle), { mode: 0o600 });
    learner = await FapiFlowClient.connect({ config, variant: variant('fapi2-dpop'), participant });
    await learner.api(await customerConsents(learner), 'GET', '/aisp/accounts');
  }, 60_000);

  it('prints the learner’s messages at every party in time order, with failed checks and their clauses', async () => {
    const printed: string[] = [];
    const { code } = await runInspect(['--bundle', bundleFile], config, (line) => printed.push(line));
    const output = printed.join('\n');
    expect(code).toBe(0);
    expect(output).toContain(`${bundle.software.clientName} (${bundle.software.softwareId})`);
    const ssa = output.indexOf(
      `directory GET /organisations/${bundle.organisation.orgId}/software-statements/${bundle.software.softwareId}/ssa → 200`,
    );
    const registration = output.indexOf('bank-op   POST /register → 201');
    const accounts = output.indexOf('bank-api  GET /open-banking/v3.1/aisp/accounts → 200');
    expect(ssa).toBeGreaterThan(-1);
    expect(registration).toBeGreaterThan(ssa);
    expect(accounts).toBeGreaterThan(registration);
    // The DPoP nonce challenge: a refusal the inspector explains with its clause.
    expect(output).toMatch(
      /✗ DPoP proofs at the authorization server carry a server-provided nonce[^\n]*\(FAPI 2\.0 SP §5\.3\.2\.1-10, RFC 9449 §8\)/,
    );
    // Nothing of Moneywise's: not its software, not its organisation, not its certificate's requests.
    const moneywise = config.participants.demo;
    expect(output).not.toContain(moneywise.softwareId);
    expect(output).not.toContain(moneywise.orgId);
  });

  it('serves the same sequence on 127.0.0.1 with decoded JWTs, escaped, and follows new events', async () => {
    const { server } = await runInspect(['--bundle', bundleFile, '--serve'], config, () => {});
    expect(server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    try {
      const page = await fetch(server!.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const body = await page.text();
      expect(body).toContain('Acme &lt;b&gt;Budget&lt;/b&gt; App');
      expect(body).not.toContain('<b>Budget</b>');
      expect(body).toContain('/open-banking/v3.1/aisp/accounts');
      expect(body).toContain('<summary>access token');
      expect(body).toContain('&quot;jkt&quot;');
      expect(body).not.toContain(config.participants.demo.softwareId);
      // No credential of the learner's reaches the page: neither private key nor an Authorization header.
      expect(body).not.toContain(bundle.transport.privateKeyPem.split('\n')[1]);
      expect(body).not.toMatch(/authorization: (DPoP|Bearer) ey/i);

      const changes = await fetch(new URL('/changes', server!.url));
      const stream = changes.body!.getReader();
      await stream.read(); // the opening comment
      const before = (await (await fetch(new URL('/sequence', server!.url))).text()).match(
        /<li class="event/g,
      )!.length;
      await learner.api(await customerConsents(learner), 'GET', '/aisp/accounts');
      await server!.refresh();
      expect(new TextDecoder().decode((await stream.read()).value)).toBe('data: changed\n\n');
      const after = (await (await fetch(new URL('/sequence', server!.url))).text()).match(
        /<li class="event/g,
      )!.length;
      expect(after).toBeGreaterThan(before);
      await stream.cancel();
    } finally {
      await server?.close();
      await learner.close();
    }
  });
});
