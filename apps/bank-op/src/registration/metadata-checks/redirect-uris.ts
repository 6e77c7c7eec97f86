// The redirect URIs: among the SSA's (OB DCR v3.3 §4.3, RFC 7591 §2.3), and https (FAPI 2.0 SP
// §5.3.2.2-8, FAPI 1.0 Part 1 §5.2.2-20).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { clausesOf, type MetadataCheck, optionalStringList } from './context.js';

function invalidRedirectUri(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_redirect_uri', description, clause, fix });
}

export const redirectUris: MetadataCheck = {
  name: 'redirect URIs within the SSA, over https',
  run({ request, statement, profile, metadata }) {
    const uris = optionalStringList(request, 'redirect_uris') ?? statement.redirectUris;
    // RFC 7591 §2: a client with the authorization code grant has redirect URIs.
    if (uris.length === 0) {
      throw invalidRedirectUri(
        'redirect_uris is empty',
        'RFC 7591 §2',
        "send one or more of the SSA's software_redirect_uris",
      );
    }
    for (const uri of uris) {
      // OB DCR v3.3 §4.3, RFC 7591 §2.3: only URIs the directory lists for the software.
      if (!statement.redirectUris.includes(uri)) {
        throw invalidRedirectUri(
          `redirect_uri ${uri} is not among the SSA's software_redirect_uris`,
          'OB DCR v3.3 §4.3, RFC 7591 §2.3',
          `register only URIs the directory lists for the software: ${statement.redirectUris.join(', ')}`,
        );
      }
      // FAPI 2.0 SP §5.3.2.2-8, FAPI 1.0 Part 1 §5.2.2-20.
      if (URL.parse(uri)?.protocol !== 'https:') {
        throw invalidRedirectUri(
          `redirect_uri ${uri} does not use https`,
          clausesOf(profile, 'https-redirect-uris') ?? 'RFC 6749 §3.1.2.1',
          'use https redirect URIs',
        );
      }
    }
    metadata.redirect_uris = uris;
  },
};
