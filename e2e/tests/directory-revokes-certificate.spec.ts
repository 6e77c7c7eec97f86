import fs from 'node:fs';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { DirectoryPage } from '../pages/directory-page.js';
import { TppConnectPage } from '../pages/tpp-connect-page.js';
import { errorNotice } from '../pages/tpp-error.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard, startConnecting } from '../src/flows.js';

// The reissue writes a new key and certificate into certs/participants: this scenario works on its own copy.
test.use({ ownCertificates: true });

test("The directory revokes Moneywise's transport certificate: the bank refuses it at the next call; a reissue undoes it", async ({
  page,
  sandbox,
  step,
}) => {
  const { config } = sandbox;
  const demo = config.participants.demo;
  const revokedThumbprint = certificateThumbprint(fs.readFileSync(demo.transportCert, 'utf8'));
  await onboard(page, sandbox, step);
  await step('Moneywise can still reach the bank over mTLS with its certificate', () =>
    startConnecting(page, sandbox, step, 'fapi2-mtls', 'tls_client_auth'),
  );

  const directory = new DirectoryPage(page);
  await step("The directory's administrator revokes Moneywise's transport certificate", async () => {
    const credential = fs.readFileSync(config.directory.adminCredentialFile, 'utf8').trim();
    await directory.signIn(config.directory.web.origin, credential);
    await directory.openSoftwareStatement(config.directory.web.origin, demo.orgId, demo.softwareId);
    await directory.revokeCertificate(revokedThumbprint);
  });

  await step('Moneywise tries to connect again: the bank refuses the revoked certificate', async () => {
    const connect = new TppConnectPage(page);
    await connect.open(config.tpp.web.origin);
    await connect.connect('fapi2-mtls', 'tls_client_auth');
    const error = errorNotice(page);
    await expect(error.notice).toBeVisible({ timeout: 30_000 });
    await expect(error.description).toContainText(/revoked/i);
  });

  const reissued = await step(
    "The administrator reissues the certificate: the directory asks first, then writes a new key and certificate where Moneywise's back end reads them",
    async () => {
      await directory.openSoftwareStatement(config.directory.web.origin, demo.orgId, demo.softwareId);
      return directory.reissueCertificate(revokedThumbprint);
    },
  );
  expect(reissued).not.toBe(revokedThumbprint);
  expect(certificateThumbprint(fs.readFileSync(demo.transportCert, 'utf8'))).toBe(reissued);

  const connection = await connectAndShareAccounts(page, sandbox, step, 'fapi2-mtls', 'tls_client_auth');
  await step('Moneywise works again, with no restart: its new certificate is bound to the new token', () =>
    connection.expectConnected(),
  );
});
