// Distinguished names. Participants' certificates carry their directory identifiers in the subject the
// way the UK Open Banking directory does (C, O, OU = organisation id, CN = software statement id), so a
// bank can tie a transport certificate to a registered client without any other lookup.
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import type { x509 } from './x509.js';

/** ETSI EN 319 412-1 organizationIdentifier: "PSD" + country + "-" + authority + "-" + id. */
export const ORGANIZATION_IDENTIFIER_OID = '2.5.4.97';

export const caNames = {
  root: 'FAPI Sandbox Root CA',
  server: 'FAPI Sandbox Server CA',
  directory: 'FAPI Sandbox Directory CA',
  untrusted: 'Untrusted CA',
} as const;

/** Subject of the sandbox's own CAs and servers. For servers, the names that count are in the SAN. */
export function sandboxSubject(commonName: string): x509.JsonName {
  return [{ C: ['GB'] }, { O: ['FAPI Sandbox'] }, { CN: [commonName] }];
}

export function participantOrganizationIdentifier(participant: Pick<Participant, 'orgId'>): string {
  return `PSDGB-OB-${participant.orgId}`;
}

/** `C=GB, O=<orgName>, OU=<orgId>, organizationIdentifier=PSDGB-OB-<orgId>, CN=<softwareId>`. */
export function participantSubject(
  participant: Pick<Participant, 'orgId' | 'orgName' | 'softwareId'>,
): x509.JsonName {
  return [
    { C: ['GB'] },
    { O: [participant.orgName] },
    { OU: [participant.orgId] },
    { [ORGANIZATION_IDENTIFIER_OID]: [participantOrganizationIdentifier(participant)] },
    { CN: [participant.softwareId] },
  ];
}
