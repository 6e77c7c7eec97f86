// RFC 7591 §2.3, OB DCR v3.3 §4.3: who the client is comes from the software statement, not the request:
// its name, logo and directory identifiers, and its keys (the directory's software_jwks_uri).
import { PROFILE_METADATA } from '../../profiles/index.js';
import { invalidMetadata, type MetadataCheck, optionalString } from './context.js';

export const softwareIdentity: MetadataCheck = {
  name: 'software identity from the SSA',
  run({ request, statement, profile, metadata }) {
    Object.assign(metadata, {
      [PROFILE_METADATA]: profile.id,
      application_type: 'web',
      client_name: statement.clientName,
      ...(statement.logoUri ? { logo_uri: statement.logoUri } : {}),
      software_id: statement.softwareId,
      org_id: statement.orgId,
      software_roles: statement.roles,
      software_statement: request.software_statement,
    });
  },
};

export const softwareKeys: MetadataCheck = {
  name: 'client keys are the software JWKS',
  run({ request, statement, metadata }) {
    // OB DCR v3.3 §4.3, RFC 7591 §2.3: the software statement's values win; its keys are the directory's.
    if (request.jwks !== undefined) {
      throw invalidMetadata(
        'jwks is not accepted: the client keys are the ones the directory publishes for the software',
        'OB DCR v3.3 §4.3, RFC 7591 §2.3',
        `leave jwks out; the client's jwks_uri is the SSA's software_jwks_uri (${statement.jwksUri})`,
      );
    }
    const jwksUri = optionalString(request, 'jwks_uri');
    if (jwksUri !== undefined && jwksUri !== statement.jwksUri) {
      throw invalidMetadata(
        `jwks_uri ${jwksUri} is not the SSA's software_jwks_uri`,
        'OB DCR v3.3 §4.3, RFC 7591 §2.3',
        `send jwks_uri ${statement.jwksUri} or leave it out`,
      );
    }
    metadata.jwks_uri = statement.jwksUri;
  },
};
