// Short excerpts of every clause the parties cite, bundled with the front end so that a clause chip
// reads offline: the specification's name, the section's title and a few sentences of its text, with a
// link to the public specification. Numbered lists (FAPI requirements, RFC 9449's checks) keep their
// item numbers, so "FAPI 2.0 SP §5.3.2.2-9" shows item 9. Excerpts are quoted or closely condensed from
// the specifications; the link is the authority.

export interface SectionText {
  title: string;
  text: string;
  /** Numbered requirements of the section, by their number in the specification. */
  items?: Record<number, string>;
}

export interface SpecText {
  name: string;
  url: string;
  /** How a section's anchor is made on `url` (xml2rfc documents use #section-N). */
  anchor?: (section: string) => string;
  /** What the document is, shown when a clause names the document only or a section by name. */
  summary: string;
  sections: Record<string, SectionText>;
}

const sectionAnchor = (section: string) => `#section-${section}`;

function rfc(number: number, name: string, summary: string, sections: Record<string, SectionText>): SpecText {
  return {
    name: `RFC ${number}: ${name}`,
    url: `https://www.rfc-editor.org/rfc/rfc${number}`,
    anchor: sectionAnchor,
    summary,
    sections,
  };
}

const s = (title: string, text: string, items?: Record<number, string>): SectionText => ({
  title,
  text,
  ...(items ? { items } : {}),
});

export const CLAUSE_TEXTS: Record<string, SpecText> = {
  'fapi2-sp': {
    name: 'FAPI 2.0 Security Profile (final)',
    url: 'https://openid.net/specs/fapi-security-profile-2_0.html',
    anchor: sectionAnchor,
    summary:
      'An API security profile for high-security applications based on OAuth 2.0: PAR, PKCE, sender-constrained tokens (MTLS or DPoP), strong client authentication and the iss response parameter.',
    sections: {
      '5.3.2.1': s('Requirements for authorization servers: general', 'Authorization servers', {
        1: 'shall distribute discovery metadata (such as the authorization endpoint) via the metadata document as specified in [OIDD] and [RFC8414];',
        2: 'shall reject requests using the resource owner password credentials grant;',
        3: 'shall only support confidential clients as defined in [RFC6749];',
        4: 'shall only issue sender-constrained access tokens;',
        5: 'shall use one of the following methods for sender-constrained access tokens: MTLS as described in [RFC8705], DPoP as described in [RFC9449];',
        6: 'shall authenticate clients using one of the following methods: MTLS as specified in Section 2 of [RFC8705], or private_key_jwt as specified in Section 9 of [OIDC];',
        7: 'shall not expose open redirectors;',
        8: 'shall accept its issuer identifier value (as defined in [RFC8414]) either as the aud claim (when a string) or as a member of the aud claim (when an array) received in client authentication assertions;',
        9: 'should accept its token endpoint url or the url of the endpoint at which the assertion was received, either as the aud claim or as a member of the aud claim received in client authentication assertions;',
        10: 'shall not use refresh token rotation except in extraordinary circumstances;',
        11: 'if using DPoP, may use the server provided nonce mechanism (as defined in Section 8 of [RFC9449]);',
        12: 'shall issue authorization codes with a maximum lifetime of 60 seconds;',
        13: 'if using DPoP, shall support "Authorization Code Binding to DPoP Key" (as required by Section 10.1 of [RFC9449]);',
        14: 'to accommodate clock offsets, shall accept JWTs with an iat or nbf timestamp between 0 and 10 seconds in the future but shall reject JWTs with an iat or nbf timestamp greater than 60 seconds in the future;',
        15: 'should restrict the privileges associated with an access token to the minimum required for the particular application or use case.',
      }),
      '5.3.2.2': s(
        'Requirements for authorization servers: authorization endpoint flows',
        'For flows that use the authorization endpoint, authorization servers',
        {
          1: 'shall require the value of response_type described in [RFC6749] to be code;',
          2: 'shall support client-authenticated pushed authorization requests according to [RFC9126];',
          3: 'shall reject authorization requests sent without [RFC9126];',
          4: 'shall reject pushed authorization requests without client authentication;',
          5: 'shall require PKCE [RFC7636] with S256 as the code challenge method;',
          6: 'shall require the redirect_uri parameter in pushed authorization requests;',
          7: 'shall return an iss parameter in the authorization response according to [RFC9207];',
          8: 'shall not transmit authorization responses over unencrypted network connections, and, to this end, shall not allow redirect URIs that use the "http" scheme except for native clients that use loopback interface redirection;',
          9: 'shall reject an authorization code (Section 1.3.1 of [RFC6749]) if it has been previously used;',
          10: 'shall not use the HTTP 307 status code when redirecting a request that contains user credentials to avoid forwarding the credentials to a third party accidentally;',
          11: 'should use the HTTP 303 status code when redirecting the user agent using status codes;',
          12: 'shall issue pushed authorization requests request_uri with expires_in values of less than 600 seconds;',
          13: 'should provide end-users with all necessary information to make an informed decision about whether to consent to the authorization request, including the identity of the client and the scope of the authorization;',
          14: 'if supporting [OIDC], shall support nonce parameter values up to 64 characters in length, may reject nonce values longer than 64 characters.',
        },
      ),
      '5.3.3.1': s('Requirements for clients: general', 'Clients', {
        1: 'shall support sender-constrained access tokens using one or both of MTLS as described in [RFC8705] and DPoP as described in [RFC9449];',
        2: 'shall support client authentication using one or both of MTLS as specified in Section 2 of [RFC8705] and private_key_jwt as specified in Section 9 of [OIDC];',
        3: 'shall send access tokens in the HTTP header as in Section 2.1 of [RFC6750] or Section 7.1 of [RFC9449];',
        5: 'if using private_key_jwt, shall use the authorization server’s issuer identifier value (as defined in [RFC8414]) in the aud claim in client authentication assertions, sent as a string not as an item in an array;',
        7: 'if using MTLS client authentication or MTLS sender-constrained access tokens, shall support the mtls_endpoint_aliases metadata defined in [RFC8705];',
        9: 'shall only use authorization server metadata (such as the authorization endpoint) retrieved from the metadata document as specified in [OIDD] and [RFC8414];',
        10: 'shall ensure that the issuer URL used as the basis for retrieving the authorization server metadata is obtained from an authoritative source and using a secure channel, such that it cannot be modified by an attacker;',
        11: 'shall ensure that this issuer URL and the issuer value in the obtained metadata match;',
      }),
      '5.3.3.2': s(
        'Requirements for clients: authorization code flow',
        'For the authorization code flow, clients',
        {
          1: 'shall use the authorization code grant described in [RFC6749];',
          2: 'shall use pushed authorization requests according to [RFC9126];',
          3: 'shall use PKCE [RFC7636] with S256 as the code challenge method;',
          4: 'shall generate the PKCE challenge specifically for each authorization request and securely bind the challenge to the client and the user agent in which the flow was started;',
          5: 'shall check the iss parameter in the authorization response according to [RFC9207] to prevent mix-up attacks;',
          6: 'shall only send client_id and request_uri request parameters to the authorization endpoint (all other authorization request parameters are sent in the pushed authorization request according to [RFC9126]);',
        },
      ),
      '5.3.4': s('Requirements for resource servers', 'Resource servers with the FAPI endpoints', {
        1: 'shall accept access tokens in the HTTP header as in Section 2.1 of OAuth 2.0 Bearer Token Usage [RFC6750] or Section 7.1 of DPoP [RFC9449];',
        2: 'shall not accept access tokens in the query parameters stated in Section 2.3 of OAuth 2.0 Bearer Token Usage [RFC6750];',
        3: 'shall verify the validity, integrity, expiration and revocation status of access tokens;',
        4: 'shall verify that the authorization represented by the access token is sufficient for the requested resource access and otherwise return errors as in Section 3.1 of [RFC6750];',
        5: 'shall support and verify sender-constrained access tokens using one or both of MTLS as described in [RFC8705] and DPoP as described in [RFC9449].',
      }),
      '5.4.1': s(
        'Cryptography and secrets: general requirements',
        'The following requirements apply to cryptographic operations and secrets:',
        {
          1: 'Authorization servers, clients, and resource servers when creating or processing JWTs shall (1) adhere to [RFC8725]; (2) use PS256, ES256, or EdDSA (using the Ed25519 variant) algorithms; and (3) not use or accept the none algorithm.',
          2: 'RSA keys shall have a minimum length of 2048 bits.',
          3: 'Elliptic curve keys shall have a minimum length of 224 bits.',
          4: 'Credentials not intended for handling by end-users (e.g., access tokens, refresh tokens, authorization codes, etc.) shall be created with at least 128 bits of entropy such that an attacker correctly guessing the value is computationally infeasible. Cf. Section 10.10 of [RFC6749].',
        },
      ),
      '5.4.3': s(
        'Handling duplicate key identifiers',
        'JWK sets should not contain multiple keys with the same kid. However, to increase interoperability when there are multiple keys with the same kid, the verifier shall consider other JWK attributes, such as kty, use, alg, etc., when selecting the verification key for the particular JWS message.',
      ),
    },
  },
  'fapi2-http-sig': {
    name: 'FAPI 2.0 HTTP Signatures (draft 01)',
    // A working group draft: its source is the reference (no stable anchors).
    url: 'https://github.com/openid/fapi/blob/main/fapi-2_0-http-signatures.md',
    summary:
      'How FAPI 2.0 clients and resource servers sign and verify resource requests and responses with HTTP Message Signatures (RFC 9421) and Digest Fields (RFC 9530), for non-repudiation of NR5 and NR6. It carries the HTTP signing part of FAPI 2.0 Message Signing.',
    sections: {
      '5.3.1.1': s(
        'Signed resource requests: clients',
        'Clients sending signed resource requests act as signer; this signer',
        {
          1: 'shall create an HTTP message signature as described in [RFC9421];',
          2: 'shall include @method (the method used in the HTTP request) in the signature;',
          3: 'shall include @target-uri (the full request URI of the HTTP request) in the signature;',
          4: 'shall include the created parameter (the signature creation time) in the signature;',
          5: 'shall include the tag parameter with a value of fapi-2-request in the signature;',
          6: 'shall include the Authorization header in the signature;',
          7: 'when DPoP [RFC9449] is in use, shall include the DPoP header in the signature;',
          8: 'when the message contains a request body, shall include the content-digest header [RFC9530] in the request, shall include that header in the signature, and should use content-encoding agnostic digest methods (such as sha-256).',
        },
      ),
      '5.3.1.2': s(
        'Signed resource requests: resource servers',
        'Resource servers receiving signed resource requests act as verifier; this verifier',
        {
          1: 'shall retrieve the valid public key for the client;',
          2: 'shall verify the signature received from the client as described in [RFC9421];',
          3: 'shall reject requests with missing or invalid signatures using HTTP status code 401;',
          4: 'shall reject requests which don’t have a tag parameter with the value of fapi-2-request in the signature;',
          5: 'shall reject requests with signatures that are missing @method, @target-uri, or Authorization in the signature;',
          6: 'shall reject requests with signatures that are missing the created parameter or have a created value that is greater than an acceptable range (1 minute is recommended);',
          7: 'when a DPoP header is present in the request, shall reject requests that are missing DPoP in the signature;',
          8: 'when the request contains a request body, shall reject requests that are missing content-digest in the signature.',
        },
      ),
      '5.3.2.1': s(
        'Signed resource responses: resource servers',
        'Resource servers responding with a signed resource response act as signer; this signer',
        {
          1: 'shall create an HTTP message signature for the response as described in [RFC9421];',
          2: 'shall cryptographically link the response to the request by including the request method, request target-uri and (if applicable) the request content-digest in the response signature input by means of the req boolean flag defined in Section 2.4 of [RFC9421];',
          3: 'if the request was signed, shall include the request signature and request signature input in the response signature input by means of the req boolean flag;',
          4: 'shall include @status (the status code of the response) in the signature;',
          5: 'shall include the created parameter (the signature creation time) in the signature;',
          6: 'shall include the tag parameter with a value of fapi-2-response in the signature;',
          7: 'when the response contains a response body, shall include the content-digest header [RFC9530] in the response, and shall include that header in the signature.',
        },
      ),
      '5.3.2.2': s(
        'Signed resource responses: clients',
        'Clients receiving signed resource responses act as verifier; this verifier',
        {
          1: 'shall retrieve the valid public key for the resource server;',
          2: 'shall accept and verify the signature in the response as described in [RFC9421];',
          3: 'shall verify that @status and created are included in the signature;',
          4: 'if the response contains a body, shall verify that content-digest is in the signature; and',
          5: 'shall verify that the signature contains the tag parameter with a value of fapi-2-response.',
        },
      ),
    },
  },
  'fapi2-ms': {
    name: 'FAPI 2.0 Message Signing (final)',
    url: 'https://openid.net/specs/fapi-message-signing-2_0-final.html',
    anchor: sectionAnchor,
    summary:
      'Non-repudiation on top of the FAPI 2.0 Security Profile: signed authorization requests (JAR), signed authorization responses (JARM), signed introspection responses (RFC 9701); HTTP message signatures of resource requests and responses are specified in FAPI 2.0 HTTP Signatures.',
    sections: {
      '5.2': s(
        'Non-repudiation',
        'Parties could try to deny having sent a message, for example a payment request. Non-repudiation is the assurance that the owner of a key pair that could have produced a signature over certain data cannot convincingly deny having signed it; it is achieved with application-level signatures stored with the payload and metadata. Messages covered: pushed authorization requests (NR1), authorization requests (NR2), authorization responses (NR3), introspection responses (NR4), resource requests (NR5) and responses (NR6).',
      ),
      '5.3': s(
        'Signing authorization requests',
        'The authorization request is a request object signed according to JAR [RFC9101] and pushed to the PAR endpoint; its aud is the issuer, it has nbf and exp at most 60 minutes apart, and the authorization server verifies it (and, for a client set up for it, refuses unsigned requests).',
      ),
      '5.4': s(
        'Signing authorization responses',
        'The authorization server issues signed authorization responses with JARM (response_mode=jwt); the client verifies them.',
      ),
      '5.5': s(
        'Signing introspection responses',
        'The authorization server signs introspection responses in JWT format [RFC9701]; the resource server requests them (Accept: application/token-introspection+jwt) and verifies the signature.',
      ),
    },
  },
  'fapi1-adv': {
    name: 'FAPI 1.0 Part 2: Advanced (final)',
    url: 'https://openid.net/specs/openid-financial-api-part-2-1_0.html',
    summary:
      'The higher-security FAPI 1.0 profile: signed request objects (JAR), signed authorization responses (JARM or a detached ID Token), MTLS-bound access tokens and confidential clients only.',
    sections: {
      '5.2.2': s(
        'Authorization server',
        'The authorization server shall support the provisions specified in clause 5.2.2 of Part 1: Baseline; in addition, the authorization server',
        {
          1: 'shall require a JWS signed JWT request object passed by value with the request parameter or by reference with the request_uri parameter;',
          2: 'shall require (a) the response_type value code id_token, or (b) the response_type value code in conjunction with the response_mode value jwt;',
          5: 'shall only issue sender-constrained access tokens;',
          6: 'shall support MTLS as mechanism for constraining the legitimate senders of access tokens;',
          10: 'shall only use the parameters included in the signed request object passed via the request or request_uri parameter;',
          13: 'shall require the request object to contain an exp claim that has a lifetime of no longer than 60 minutes after the nbf claim;',
          14: 'shall authenticate the confidential client using one of: tls_client_auth or self_signed_tls_client_auth as specified in section 2 of [MTLS], or private_key_jwt as specified in section 9 of [OIDC];',
          15: 'shall require the aud claim in the request object to be, or to be an array containing, the OP’s Issuer Identifier URL;',
          16: 'shall not support public clients;',
          17: 'shall require the request object to contain an nbf claim that is no longer than 60 minutes in the past;',
          18: 'shall require PAR requests, if supported, to use PKCE [RFC7636] with S256 as the code challenge method.',
        },
      ),
      '5.2.2.1': s(
        'ID Token as detached signature',
        'If the response_type value code id_token is used, the authorization server',
        {
          5: 'shall include state hash, s_hash, in the ID Token to protect the state value if the client supplies a value for state.',
        },
      ),
      '5.2.2.2': s(
        'JARM',
        'If the response_type value code is used in conjunction with the response_mode value jwt, the authorization server shall create JWT-secured authorization responses as specified in JARM, Section 4.3.',
      ),
      '6.2.1': s('Protected resources', 'The protected resources supporting this document', {
        2: 'shall adhere to the requirements in MTLS [RFC8705].',
      }),
      '8.3.3': s(
        'Identity provider (IdP) mix-up attack',
        'An attacker-controlled authorization server can trick a client into sending it the code issued by an honest one. The defence is that the client checks who issued the authorization response: the iss of a JARM response or of the ID Token returned as a detached signature.',
      ),
      '8.6': s('Algorithm considerations', 'For JWS, both clients and authorization servers', {
        1: 'shall use PS256 or ES256 algorithms;',
        2: 'should not use algorithms that use RSASSA-PKCS1-v1_5 (e.g. RS256);',
        3: 'shall not use none.',
      }),
      '8.11': s(
        'Duplicate key identifiers',
        'JWK sets should not contain multiple keys with the same kid; a verifier that finds several should consider other JWK attributes (kty, use, alg) to select the key for a particular message.',
      ),
    },
  },
  'fapi1-base': {
    name: 'FAPI 1.0 Part 1: Baseline (final)',
    url: 'https://openid.net/specs/openid-financial-api-part-1-1_0.html',
    summary:
      'The baseline FAPI 1.0 profile: PKCE, pre-registered https redirect URIs, strong client authentication, and the FAPI headers (x-fapi-interaction-id) between client and resource server.',
    sections: {
      '5.2.2': s('Authorization server', 'The authorization server', {
        1: 'shall support confidential clients;',
        2: 'should support public clients;',
        4: 'shall authenticate the confidential client using one of the following methods: Mutual TLS for OAuth Client Authentication as specified in Section 2 of [MTLS], or client_secret_jwt or private_key_jwt as specified in Section 9 of [OIDC];',
        5: 'shall require and use a key of size 2048 bits or larger for RSA algorithms;',
        6: 'shall require and use a key of size 160 bits or larger for elliptic curve algorithms;',
        7: 'shall require [RFC7636] with S256 as the code challenge method;',
        8: 'shall require redirect URIs to be pre-registered;',
        9: 'shall require the redirect_uri in the authorization request;',
        10: 'shall require the value of redirect_uri to exactly match one of the pre-registered redirect URIs;',
        12: 'shall require explicit approval by the user to authorize the requested scope if it has not been previously authorized;',
        13: 'shall reject an authorization code (Section 1.3.1 of RFC6749) if it has been previously used;',
        17: 'should clearly identify the details of the grant to the user during authorization;',
        20: 'shall require redirect URIs to use the https scheme;',
        21: 'should issue access tokens with a lifetime of under 10 minutes unless the tokens are sender-constrained;',
        22: 'shall support [OIDD], may support [RFC8414] and shall not distribute discovery metadata (such as the authorization endpoint) by any other means.',
      }),
      '5.2.2.2': s(
        'Client requesting openid scope',
        'If the client requests the openid scope, the authorization server',
        {
          1: 'shall require the nonce parameter defined in Section 3.1.2.1 of OIDC in the authentication request.',
        },
      ),
      '5.2.2.3': s(
        'Clients not requesting openid scope',
        'If the client does not request the openid scope, the authorization server',
        {
          1: 'shall require the state parameter defined in Section 4.1.1 of RFC6749.',
        },
      ),
      '6.2.1': s('Protected resources', 'The resource server with the FAPI endpoints', {
        2: 'shall accept access tokens in the HTTP header as in Section 2.1 of OAuth 2.0 Bearer Token Usage [RFC6750];',
        3: 'shall not accept access tokens in the query parameters stated in Section 2.3 of OAuth 2.0 Bearer Token Usage [RFC6750];',
        5: 'shall verify that the scope associated with the access token authorizes access to the resource it is representing;',
        6: 'shall identify the associated entity to the access token;',
        7: 'shall only return the resource identified by the combination of the entity implicit in the access and the granted scope and otherwise return errors as in section 3.1 of [RFC6750];',
        11: 'shall set the response header x-fapi-interaction-id to the value received from the corresponding FAPI client request header or to a [RFC4122] UUID value if the request header was not provided to track the interaction;',
        13: 'shall not reject requests with a x-fapi-customer-ip-address header containing a valid IPv4 or IPv6 address.',
      }),
      '6.2.2': s('Client provisions', 'The client supporting this document', {
        3: 'may send the last time the customer logged into the client in the x-fapi-auth-date header where the value is supplied as a HTTP-date, e.g., x-fapi-auth-date: Tue, 11 Sep 2012 19:43:31 GMT;',
        4: 'may send the customer’s IP address if this data is available in the x-fapi-customer-ip-address header;',
      }),
    },
  },
  jarm: {
    name: 'JWT Secured Authorization Response Mode for OAuth 2.0 (JARM, final)',
    url: 'https://openid.net/specs/oauth-v2-jarm-final.html',
    anchor: sectionAnchor,
    summary:
      'The authorization server returns the authorization response parameters inside a JWT it signs, so the client can check who issued the response, for whom, and that nobody altered it.',
    sections: {
      '2.2': s(
        'Signing and encryption',
        'The response JWT is signed, or signed and encrypted; when both, it is signed first and then encrypted, giving a Nested JWT (RFC 7519). The authorization server chooses the algorithms from what the client registered.',
      ),
      '2.3.4': s(
        'Response mode "jwt"',
        'The response mode "jwt" is a shortcut: it indicates the default redirect encoding (query or fragment) for the requested response type, i.e. "query.jwt" for the code response type.',
      ),
      '3': s(
        'Client metadata',
        'authorization_signed_response_alg names the JWS alg the responses are signed with (never none). authorization_encrypted_response_alg names the JWE alg they are encrypted with; with signing too, the response is signed, then encrypted (a Nested JWT); without it, nothing is encrypted. authorization_encrypted_response_enc names the JWE enc, A128CBC-HS256 when only the alg is given, and needs the alg. The client publishes its public encryption keys through jwks_uri or jwks.',
      ),
      '4.1': s(
        'Authorization server: signed response',
        'The authorization server creates a JWT containing the authorization response parameters (code, state, or error) and the claims iss, aud (the client_id) and exp, signs it, and passes it to the client in the single response parameter.',
      ),
      '4.1.1': s(
        'Error responses',
        'An error is returned in the same way: the JWT carries the error, error_description and state parameters, with iss, aud and exp, so an error response is signed too.',
      ),
      '4.3': s(
        'Processing rules: signature and encryption',
        'The authorization server signs the response JWT with the algorithm registered as the client’s authorization_signed_response_alg (and may encrypt it), using a key the client can obtain from the server’s JWKS.',
      ),
      '4.4': s(
        'Processing rules: client',
        'The client shall (1) (decrypt the JWT if it is encrypted;) (2) obtain the key and verify the JWT signature; (3) check that iss is the expected authorization server; (4) check that aud contains its own client_id; (5) check that the JWT has not expired (exp). The client then processes the authorization response parameters as defined for the response type, including checking state.',
      ),
    },
  },
  'fapi-ciba': {
    name: "FAPI-CIBA: Financial-grade API Client Initiated Backchannel Authentication Profile (Implementer's Draft 1)",
    url: 'https://openid.net/specs/openid-financial-api-ciba-ID1.html',
    summary:
      'CIBA profiled for financial-grade APIs, on top of FAPI 1.0 Part 1 and Part 2: confidential clients, signed authentication requests, a binding message, poll or ping (never push).',
    sections: {
      '5.2.2': s(
        'Authorization server',
        'The authorization server shall support the provisions specified in clause 5.2.2 of FAPI Part 1 and clause 5.2.2 of FAPI Part 2. In addition, the authorization server, for all operations,',
        {
          1: 'shall only support confidential clients for Client Initiated Backchannel Authentication flows;',
          2: 'shall ensure unique authorization context exists in the authorization request or require a binding_message in the authentication request;',
          3: 'shall not support CIBA push mode;',
          4: 'shall support CIBA poll mode;',
          5: 'may support CIBA ping mode;',
          6: 'shall require Backchannel Authentication Endpoint requests to be signed as described in [CIBA] 7.1.1;',
          7: 'shall require user authentication to an appropriate level for the operations the client will be authorized to perform on behalf of the user;',
          8: "shall, if it supports the acr claim and the client has requested acr, return an 'acr' claim in the resulting ID token;",
          9: 'shall require the Signed Authentication Request to contain nbf and exp claims that limit the lifetime of the request to no more than 60 minutes;',
          10: 'may require clients to provide a request_context claim as defined in section 5.3 of this profile; and',
          11: 'should not use the login_hint or login_hint_token to convey "intent ids" or any other authorization metadata.',
        },
      ),
      '5.2.3.1': s(
        'Confidential client: general provisions',
        'A confidential client shall support the provisions of clause 5.2.4 of FAPI Part 1 and Part 2. In addition, the confidential client',
        {
          1: 'shall only send Signed Authentication Requests as defined in [CIBA] 7.1.1 to the Backchannel Authentication Endpoint;',
          2: 'shall ensure sufficient authorization context exists in authorization request or shall include a binding_message in the authentication request; and',
          3: "shall ensure the Authorization Server has authenticated the user to an appropriate level for the client's intended purpose.",
        },
      ),
      '7.3': s(
        'Reliance on user to confirm binding messages',
        'A fraudster may start a malicious CIBA flow at the same time as a genuine one, with the genuine user’s identifier. If the scope requested is similar, the only way to ensure that a user authorizes the correct transaction is for the user to compare the binding messages on the authentication and consumption devices.',
      ),
      '7.8': s(
        'CIBA token delivery modes',
        'Push is not permitted: it delivers tokens to an endpoint of the client instead of the token endpoint. Poll and ping retrieve tokens from the token endpoint. The ping carries only the auth_req_id (CIBA 10.2), and its bearer token is not sender-constrained: an attacker who knows the endpoint, the auth_req_id and the client_notification_token may make the client call the token endpoint early or repeatedly.',
      ),
    },
  },
  ciba: {
    name: 'CIBA: OpenID Connect Client-Initiated Backchannel Authentication Flow - Core 1.0',
    url: 'https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html',
    anchor: (section) => `#rfc.section.${section}`,
    summary:
      'Authentication with no redirect: the client names the user, the user authenticates and consents on an authentication device (their phone), and the client gets the tokens from the token endpoint (poll or ping) or by push.',
    sections: {
      '1': s(
        'Introduction',
        'The user starts the flow with the client on a consumption device, but authenticates and grants consent on an authentication device, through the OpenID Provider, with no redirect through the user’s browser.',
      ),
      '4': s(
        'Registration and discovery metadata',
        'A client registers the grant type urn:openid:params:grant-type:ciba, backchannel_token_delivery_mode (poll, ping or push), backchannel_client_notification_endpoint (required for ping and push; an https URL) and backchannel_authentication_request_signing_alg when it signs its requests. The OP publishes backchannel_authentication_endpoint and the modes it supports.',
      ),
      '7.1': s(
        'Authentication request',
        'The client posts to the backchannel authentication endpoint, authenticated: scope (with openid); exactly one hint of who the user is (login_hint, login_hint_token or id_token_hint); client_notification_token, required for ping and push, the bearer token the OP will call back with; binding_message, a human-readable message displayed on both the consumption device and the authentication device to interlock them, relatively short and in plain text; optionally acr_values, user_code and requested_expiry.',
      ),
      '7.1.1': s(
        'Signed authentication request',
        'The client may send the parameters as a signed JWT in a single request parameter. Besides every authentication request parameter, the JWT contains aud (the OP’s issuer), iss (the client_id), exp, iat, nbf and jti.',
      ),
      '7.3': s(
        'Successful authentication request acknowledgement',
        'The OP answers at once with auth_req_id (required: identifies the request from now on), expires_in (required: seconds until the request expires) and interval (the minimum seconds the client must wait between polls of the token endpoint; 5 when absent).',
      ),
      '8': s(
        'OpenID Provider obtains end-user consent/authorization',
        'After validating the request, the OP authenticates the user and obtains their consent on the authentication device, showing the binding message so the user can check it against the consumption device.',
      ),
      '10.1': s(
        'Token request using the CIBA grant type',
        'A poll or ping client asks the token endpoint for the tokens with grant_type urn:openid:params:grant-type:ciba and the auth_req_id, with its client authentication. A poll client waits at least the interval between two requests; a ping client makes it after the ping.',
      ),
      '10.1.1': s(
        'Successful token response',
        'Once the user has authenticated and consented, the token endpoint answers as in OpenID Connect: an access token, an ID token and optionally a refresh token. The auth_req_id is then used up.',
      ),
      '10.2': s(
        'Ping callback',
        'In ping mode the OP posts to the client notification endpoint after the user’s authentication succeeded or failed, with the client_notification_token as a bearer token (RFC 6750) and a JSON body holding the auth_req_id. The client checks the token, answers 204 No Content, and then gets the result at the token endpoint.',
      ),
      '11': s(
        'Token error response',
        'Besides OAuth’s errors: authorization_pending (the user has not yet been authenticated; poll again), slow_down (still pending, but the interval must be increased by at least 5 seconds for this and all subsequent requests), expired_token (the auth_req_id has expired; make a new authentication request) and access_denied (the user denied the request). An auth_req_id that is invalid or another client’s is invalid_grant.',
      ),
      '13': s(
        'Authentication error response',
        'The backchannel authentication endpoint refuses a request with invalid_request, invalid_scope, expired_login_hint_token, unknown_user_id (the OP cannot tell which user the hint names), unauthorized_client, missing_user_code, invalid_user_code, invalid_binding_message (the binding message is invalid or unacceptable), invalid_client or access_denied.',
      ),
    },
  },
  'oidc-core': {
    name: 'OpenID Connect Core 1.0',
    url: 'https://openid.net/specs/openid-connect-core-1_0.html',
    summary:
      'The identity layer on top of OAuth 2.0: ID Tokens, the openid scope, claims and client authentication methods.',
    sections: {
      '3.1.3.3': s(
        'Successful token response',
        'After receiving and validating a valid and authorized token request, the authorization server returns a successful response that includes an ID Token and an access token.',
      ),
      '3.1.3.7': s(
        'ID Token validation',
        'The client must validate the ID Token: the iss claim must exactly match the issuer identifier of the OpenID Provider; the aud claim must contain the client’s client_id; the signature must be valid for the alg of the JOSE header; the current time must be before exp; and a nonce sent in the authentication request must be present and equal.',
      ),
      '5.3': s(
        'UserInfo endpoint',
        'The UserInfo endpoint is an OAuth 2.0 protected resource that returns claims about the authenticated end-user; the client presents an access token obtained through OpenID Connect authentication.',
      ),
      '5.5': s(
        'Requesting claims using the "claims" request parameter',
        'The claims parameter requests that specific claims be returned, in the ID Token or from the UserInfo endpoint, each optionally marked essential or with a required value (as UK Open Banking does with openbanking_intent_id).',
      ),
      '10.1.1': s(
        'Rotation of asymmetric signing keys',
        'The signer publishes its keys in a JWK Set at its jwks_uri and names the signing key with kid in the JOSE header of each message. Keys roll over by adding new keys to the JWK Set; the signer starts using a new key at its discretion and signals it with the kid. The verifier, seeing an unfamiliar kid, goes back to the jwks_uri to retrieve the keys again.',
      ),
      '10.2': s(
        'Encryption',
        'When both signing and encryption are used, the content must be signed, then encrypted, producing a nested JWT (the JWE carries cty JWT). The recipient decrypts with its own private key named by the JWE header, then verifies the signature of the JWS inside.',
      ),
      '9': s(
        'Client authentication',
        'private_key_jwt: clients that have registered a public key sign a JWT using that key. The JWT must contain iss and sub (both the client_id), aud (identifying the authorization server), jti (a unique identifier, to prevent reuse) and exp; it may contain iat.',
      ),
    },
  },
  'oidc-registration': {
    name: 'OpenID Connect Dynamic Client Registration 1.0',
    url: 'https://openid.net/specs/openid-connect-registration-1_0.html',
    summary: 'The client metadata a relying party registers at an OpenID Provider.',
    sections: {
      '2': s(
        'Client metadata',
        'request_object_encryption_alg: the JWE alg the client may use to encrypt request objects, declaring that it may send encrypted ones; request_object_encryption_enc: the JWE enc, defaulting to A128CBC-HS256 when only the alg is given. id_token_encrypted_response_alg and _enc: the algorithms the provider must use to encrypt ID tokens to the client; the default, when they are absent, is no encryption.',
      ),
    },
  },
  'oidc-discovery': {
    name: 'OpenID Connect Discovery 1.0',
    url: 'https://openid.net/specs/openid-connect-discovery-1_0.html',
    summary: 'How a client finds an OpenID Provider’s endpoints and capabilities from its issuer.',
    sections: {
      '3': s(
        'OpenID Provider metadata',
        'The provider publishes its metadata: issuer, authorization_endpoint, token_endpoint, jwks_uri (the URL of its JSON Web Key Set document, with the keys the client uses to validate its signatures), and the algorithms and methods it supports.',
      ),
      '4': s(
        'Obtaining OpenID Provider configuration information',
        'The configuration is retrieved with a GET from the issuer followed by /.well-known/openid-configuration, over TLS.',
      ),
      '4.3': s(
        'Configuration validation',
        'The issuer value returned must be identical to the issuer URL that was used as the prefix to /.well-known/openid-configuration to retrieve the configuration information. If they are not identical, the data must not be used.',
      ),
    },
  },
  'ob-dcr': {
    name: 'UK Open Banking Dynamic Client Registration v3.3',
    url: 'https://openbankinguk.github.io/dcr-docs-pub/v3.3/dynamic-client-registration.html',
    summary:
      'The UK Open Banking profile of RFC 7591: a TPP registers at a bank with a signed registration request carrying its software statement assertion from the directory.',
    sections: {
      '3.1': s(
        'Software statement assertion',
        'The software statement assertion (SSA) is a JWT issued and signed by the Open Banking Directory describing the software: its software_id, organisation, roles, redirect URIs and the URL of its JWKS.',
      ),
      '4.2': s(
        'Registration request',
        'The TPP sends a signed JWT as the registration request, over mutual TLS with a transport certificate issued by the directory to the same software; it includes the SSA as software_statement and the client metadata (token_endpoint_auth_method, tls_client_auth_subject_dn, …).',
      ),
      '4.3': s(
        'Registration request validation',
        'The bank validates the request: the SSA signature against the directory’s keys, that the SSA has not expired, that the request is signed with a key of the software’s JWKS, and that the metadata is consistent with the SSA. A failure is answered 400 with invalid_client_metadata or invalid_software_statement.',
      ),
      '4.4': s(
        'Client management',
        'GET, PUT and DELETE on /register/{client_id} read, update and delete a registration (RFC 7592), authorised with the registration access token or the client’s credentials.',
      ),
    },
  },
  'ob-directory': {
    name: 'UK Open Banking Directory',
    url: 'https://openbanking.atlassian.net/wiki/spaces/DZ/pages/1150124033/Directory',
    summary:
      'The trust anchor of the ecosystem: it lists the participants (organisations and their software statements), issues their transport and signing certificates, and says when one is suspended or revoked; banks honour its status at each call.',
    sections: {},
  },
  'ob-security': {
    name: 'UK Open Banking Security Profile',
    url: 'https://openbankinguk.github.io/read-write-api-site3/v3.1.11/profiles/read-write-data-api-profile.html',
    summary:
      'The UK profile of FAPI: the openbanking_intent_id claim ties an authorization to the consent (intent) the TPP created, and payments are authorised with strong customer authentication (acr urn:openbanking:psd2:sca).',
    sections: {},
  },
  'ob-read-write': {
    name: 'UK Open Banking Read/Write API v3.1',
    url: 'https://openbankinguk.github.io/read-write-api-site3/v3.1.11/profiles/read-write-data-api-profile.html',
    summary:
      'The UK accounts and payments APIs: a TPP creates a consent with a client-credentials token, the customer authorises it at the bank, and the resulting access token reads accounts or submits the payment the consent describes (with an x-idempotency-key). Resources are filtered by the consent’s permissions and dates.',
    sections: {
      '4.2': s(
        'Security & access control: grant types',
        'Consent (intent) resources are created with an access token from the client credentials grant; account and payment resources are accessed with a token from the authorization code grant, bound to the authorised consent.',
      ),
    },
  },
  'psd2-rts': {
    name: 'PSD2 Regulatory Technical Standards on SCA (Commission Delegated Regulation (EU) 2018/389)',
    url: 'https://eur-lex.europa.eu/eli/reg_del/2018/389/oj',
    summary: 'The European rules for strong customer authentication and secure communication in payments.',
    sections: {
      'Art. 4': s(
        'Authentication code',
        'Where payment service providers apply strong customer authentication, the authentication is based on two or more elements (knowledge, possession, inherence) which result in the generation of an authentication code, accepted only once.',
      ),
      'Art. 5': s(
        'Dynamic linking',
        'For remote electronic payment transactions the authentication code generated is specific to the amount of the payment transaction and the payee agreed to by the payer when initiating the transaction; any change to the amount or the payee results in the invalidation of the authentication code.',
      ),
    },
  },
  'fetch-metadata': {
    name: 'W3C Fetch Metadata Request Headers',
    url: 'https://www.w3.org/TR/fetch-metadata/',
    summary:
      'Headers a browser adds to every request (Sec-Fetch-Site and others) so a server can tell where a request came from.',
    sections: {
      '2.4': s(
        'The Sec-Fetch-Site HTTP request header',
        'Sec-Fetch-Site exposes the relationship between a request initiator’s origin and its target’s origin: cross-site, same-origin, same-site or none. A server can refuse state-changing requests that are not same-origin.',
      ),
    },
  },
  rfc2986: rfc(
    2986,
    'PKCS #10: Certification Request Syntax',
    'The format of a certificate signing request (CSR).',
    {
      '3': s(
        'Overview',
        'A certification request consists of a distinguished name, a public key, and optionally a set of attributes, collectively signed by the entity requesting certification.',
      ),
      '4': s(
        'Certification request syntax',
        'CertificationRequestInfo holds the version, the subject name, the subjectPKInfo (the public key being certified) and attributes; the request carries a signature over it made with the matching private key, which proves possession of that key.',
      ),
    },
  ),
  rfc3986: rfc(3986, 'Uniform Resource Identifier (URI): Generic Syntax', 'The syntax of URIs.', {
    '2': s(
      'Characters',
      'The URI syntax provides a method of encoding data into a sequence of characters: reserved characters delimit components, other characters are percent-encoded.',
    ),
    '2.1': s(
      'Percent-encoding',
      'A percent-encoding mechanism is used to represent a data octet in a component when that octet’s corresponding character is outside the allowed set or is being used as a delimiter: "%" followed by two hexadecimal digits.',
    ),
    '5.2.4': s(
      'Remove dot segments',
      'The "." and ".." segments of a path are interpreted and removed when a reference is resolved, so "/a/b/../c" names "/a/c": a path that climbs out with ".." names another resource.',
    ),
  }),
  rfc4122: rfc(
    4122,
    'A Universally Unique IDentifier (UUID) URN Namespace',
    'The format of UUIDs, used for x-fapi-interaction-id: 32 hexadecimal digits in five groups (8-4-4-4-12).',
    {},
  ),
  rfc5280: rfc(
    5280,
    'Internet X.509 Public Key Infrastructure Certificate and CRL Profile',
    'The profile of X.509 certificates and revocation lists.',
    {
      '3.3': s(
        'Revocation',
        'When a certificate is issued, it is expected to be in use for its entire validity period. However, various circumstances may cause a certificate to become invalid prior to the expiration of the validity period; the CA then revokes it, and relying parties check its status.',
      ),
      '6.1.3': s(
        'Basic certificate processing',
        'For each certificate in the path, the relying party checks the signature, that the current time is within the validity period, that the certificate has not been revoked, and that the issuer name equals the subject name of the previous certificate.',
      ),
    },
  ),
  rfc6454: rfc(6454, 'The Web Origin Concept', 'Origins: scheme, host and port.', {
    '7': s(
      'The HTTP Origin header field',
      'The user agent may include an Origin header field in any HTTP request, naming the origin that caused the request; a server can use it to refuse requests from other origins.',
    ),
  }),
  rfc6585: rfc(
    6585,
    'Additional HTTP Status Codes',
    'Four HTTP status codes, among them 429 Too Many Requests.',
    {
      '4': s(
        '429 Too Many Requests',
        'The user has sent too many requests in a given amount of time ("rate limiting"). The response should explain the condition and may include a Retry-After header saying how long to wait before a new request.',
      ),
    },
  ),
  rfc6749: rfc(
    6749,
    'The OAuth 2.0 Authorization Framework',
    'OAuth 2.0: authorization codes, access and refresh tokens, client authentication and the token endpoint.',
    {
      '2.3': s(
        'Client authentication',
        'If the client type is confidential, the client and authorization server establish a client authentication method suitable for the security requirements of the authorization server. Confidential clients are typically issued (or establish) a set of client credentials used for authenticating with the authorization server.',
      ),
      '3.1.2': s(
        'Redirection endpoint',
        'After completing its interaction with the resource owner, the authorization server directs the user-agent to the client’s redirection endpoint. The endpoint URI must be an absolute URI.',
      ),
      '3.1.2.1': s(
        'Endpoint request confidentiality',
        'The redirection endpoint should require the use of TLS when the requested response type is "code", as the response carries sensitive credentials.',
      ),
      '3.2': s(
        'Token endpoint',
        'The token endpoint is used by the client to obtain an access token by presenting its authorization grant or refresh token. The client must use the HTTP "POST" method when making access token requests.',
      ),
      '4.1.1': s(
        'Authorization request',
        'The client constructs the request URI by adding response_type=code, client_id, redirect_uri, scope and state to the query component of the authorization endpoint URI, and directs the resource owner to it with an HTTP redirection response (or other means available to it via the user-agent).',
      ),
      '4.1.2': s(
        'Authorization response',
        'The authorization code must expire shortly after it is issued to mitigate the risk of leaks; a maximum lifetime of 10 minutes is recommended. The client must not use the authorization code more than once; if it is used more than once, the authorization server must deny the request and should revoke all tokens previously issued based on that code.',
      ),
      '4.1.2.1': s(
        'Error response',
        'If the resource owner denies the access request or if the request fails, the authorization server informs the client by adding error (e.g. access_denied), error_description and the state from the request to the redirection URI.',
      ),
      '4.1.3': s(
        'Access token request',
        'The client sends grant_type=authorization_code, the code and the redirect_uri. The authorization server must authenticate the client, ensure that the code was issued to it, verify that the code is valid, and that redirect_uri is identical to the one in the authorization request.',
      ),
      '4.4': s(
        'Client credentials grant',
        'The client can request an access token using only its client credentials when it requests access to protected resources under its own control (in Open Banking: to create a consent before the customer authorises it).',
      ),
      '5.1': s(
        'Successful response',
        'The authorization server issues an access token and optional refresh token: access_token, token_type and expires_in in a JSON body, with Cache-Control: no-store.',
      ),
      '5.2': s(
        'Error response',
        'The authorization server responds with HTTP 400 (or 401 for a failed client authentication) and the error parameter (invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope), with an optional error_description.',
      ),
      '6': s(
        'Refreshing an access token',
        'The client sends grant_type=refresh_token with its refresh token; the authorization server must authenticate the client, validate the refresh token and ensure it was issued to that client.',
      ),
      '10.4': s(
        'Refresh tokens',
        'The authorization server must maintain the binding between a refresh token and the client to whom it was issued, and must verify that binding when the client presents it.',
      ),
      '10.5': s(
        'Authorization codes',
        'Authorization codes must be short lived and single-use. If the authorization server observes multiple attempts to exchange a code for an access token, it should attempt to revoke all access tokens already granted based on the compromised code.',
      ),
      '10.10': s(
        'Credentials-guessing attacks',
        'The authorization server must prevent attackers from guessing access tokens, authorization codes, refresh tokens and other credentials: the probability of guessing one must be less than or equal to 2^(-128) and should be less than or equal to 2^(-160).',
      ),
      '10.12': s(
        'Cross-site request forgery',
        'The client must implement CSRF protection for its redirection URI, typically by binding the request to the user-agent’s authenticated state (a value sent in state, or PKCE) and checking it when the response arrives.',
      ),
    },
  ),
  rfc6750: rfc(
    6750,
    'OAuth 2.0 Bearer Token Usage',
    'How a client presents an access token to a resource server, and how the server refuses it.',
    {
      '2.1': s(
        'Authorization request header field',
        'When sending the access token in the "Authorization" request header field, the client uses the "Bearer" authentication scheme (DPoP-bound tokens use the "DPoP" scheme, RFC 9449 §7.1).',
      ),
      '2.3': s(
        'URI query parameter',
        'The access token can be sent in the access_token query parameter; because of its security weaknesses, it should not be used unless it is impossible to use the header. FAPI forbids it.',
      ),
      '3.1': s(
        'Error codes',
        'invalid_request (400): the request is malformed; invalid_token (401): the access token provided is expired, revoked, malformed, or invalid for other reasons; insufficient_scope (403): the request requires higher privileges than provided by the access token.',
      ),
      '4': s(
        'Security considerations',
        'A bearer token can be used by anyone who holds it: tokens must be protected from disclosure in storage and in transport, which is why FAPI requires sender-constrained tokens.',
      ),
    },
  ),
  rfc7009: rfc(
    7009,
    'OAuth 2.0 Token Revocation',
    'How a client tells the authorization server that a token is no longer needed.',
    {
      '2': s(
        'Token revocation',
        'The revocation endpoint allows clients to notify the authorization server that a previously obtained refresh or access token is no longer needed, so that the server can clean up the security credentials and the grant behind them.',
      ),
      '2.1': s(
        'Revocation request',
        'The client sends the token parameter (and optionally token_type_hint) with a POST and authenticates itself. The server validates the client credentials and verifies that the token was issued to that client. If the token is a refresh token, the server should also invalidate all access tokens based on the same authorization grant.',
      ),
      '2.2': s(
        'Revocation response',
        'The authorization server responds with HTTP 200 if the token has been revoked successfully or if the client submitted an invalid token; the client cannot learn whether a token existed.',
      ),
      '2.2.1': s(
        'Error response',
        'unsupported_token_type: the server does not support the revocation of the presented token type; other errors are those of RFC 6749 §5.2.',
      ),
    },
  ),
  rfc7515: rfc(
    7515,
    'JSON Web Signature (JWS)',
    'Signed JSON content: the compact serialisation header.payload.signature.',
    {
      '4.1.1': s(
        '"alg" (algorithm) header parameter',
        'The alg header parameter identifies the cryptographic algorithm used to secure the JWS. The JWS signature value is not valid if the alg value does not represent a supported algorithm.',
      ),
      '4.1.4': s(
        '"kid" (key ID) header parameter',
        'The kid header parameter is a hint indicating which key was used to secure the JWS, so the recipient can select the key from a JWK set.',
      ),
      '5.2': s(
        'Message signature validation',
        'The recipient decodes the header, checks that it understands every parameter, verifies the signature with the key and algorithm, and rejects the JWS if any step fails.',
      ),
      '7.1': s(
        'JWS compact serialization',
        'The compact serialization is BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature): three parts separated by periods.',
      ),
    },
  ),
  rfc7516: rfc(7516, 'JSON Web Encryption (JWE)', 'Encrypted JSON content.', {
    '7.1': s(
      'JWE compact serialization',
      'An encrypted JWT has five base64url parts separated by periods (header, encrypted key, IV, ciphertext, tag), where a signed one has three.',
    ),
    '5.2': s(
      'Message decryption',
      'The recipient parses the protected header, checks that it understands and can process the alg and enc named there, determines the key with the algorithm and key it names, and decrypts; if any step fails, the JWE must be rejected.',
    ),
  }),
  rfc7517: rfc(7517, 'JSON Web Key (JWK)', 'Keys as JSON, and key sets.', {
    '4': s(
      'JSON Web Key (JWK) format',
      'A JWK is a JSON object whose members are the properties of the key, including its values: kty names the key type, and the members that kty defines (RFC 7518 §6) carry the key itself.',
    ),
    '4.2': s(
      '"use" (public key use) parameter',
      'use identifies the intended use of a public key: "sig" for signature, "enc" for encryption. A party encrypting to a key set picks a key whose use is enc.',
    ),
    '4.5': s(
      '"kid" (key ID) parameter',
      'The kid is used to match a specific key, for instance to choose among a set of keys within a JWK set during key rollover.',
    ),
    '5': s(
      'JWK set format',
      'A JWK set is a JSON object with a keys member: an array of JWKs, as served at a jwks_uri.',
    ),
  }),
  rfc7518: rfc(7518, 'JSON Web Algorithms (JWA)', 'The algorithm identifiers of JWS and JWE.', {
    '3.4': s(
      'ECDSA (ES256)',
      'ES256 is ECDSA using the P-256 curve and SHA-256; the signature is the 64-byte concatenation of R and S.',
    ),
    '3.5': s(
      'RSASSA-PSS (PS256)',
      'PS256 is RSASSA-PSS using SHA-256 and MGF1 with SHA-256. A key of size 2048 bits or larger must be used.',
    ),
    '4': s(
      'Cryptographic algorithms for key management',
      'The JWE alg values: among them RSA-OAEP-256 (RSAES OAEP using SHA-256 and MGF1 with SHA-256, a 2048-bit key or larger) and ECDH-ES (Elliptic Curve Diffie-Hellman Ephemeral Static key agreement, the agreed key used directly). RSA1_5 is also defined; RFC 8725 recommends against it.',
    ),
    '5': s(
      'Cryptographic algorithms for content encryption',
      'The JWE enc values: AES in CBC mode with HMAC (A128CBC-HS256 …) and AES in Galois/Counter Mode (A128GCM, A192GCM, A256GCM), which encrypts and authenticates the content together.',
    ),
    '6': s(
      'Cryptographic algorithms for keys',
      'The members of each key type: an EC key (kty EC) names its curve (crv) and the coordinates x and y of a point that must lie on that curve; an RSA key (kty RSA) carries its modulus n and exponent e.',
    ),
  }),
  rfc7519: rfc(7519, 'JSON Web Token (JWT)', 'Claims as a signed or encrypted JSON object.', {
    '2': s(
      'Terminology',
      'A JWT is a string representing a set of claims as a JSON object encoded in a JWS or JWE.',
    ),
    '4.1.1': s('"iss" (issuer) claim', 'The iss claim identifies the principal that issued the JWT.'),
    '4.1.4': s(
      '"exp" (expiration time) claim',
      'The exp claim identifies the expiration time on or after which the JWT must not be accepted for processing (seconds since the epoch).',
    ),
    '4.1.5': s(
      '"nbf" (not before) claim',
      'The nbf claim identifies the time before which the JWT must not be accepted for processing.',
    ),
    '4.1.6': s(
      '"iat" (issued at) claim',
      'The iat claim identifies the time at which the JWT was issued, and can be used to determine its age.',
    ),
    '7.2': s(
      'Validating a JWT',
      'The recipient verifies that the JWT contains at least one period, decodes the header, verifies the signature, and rejects the JWT if any of the listed steps fails.',
    ),
  }),
  rfc7523: rfc(
    7523,
    'JWT Profile for OAuth 2.0 Client Authentication and Authorization Grants',
    'JWTs as client credentials (private_key_jwt).',
    {
      '3': s(
        'JWT format and processing requirements',
        'The JWT must contain iss and sub (for client authentication, the client_id); an aud identifying the authorization server (the JWT must be rejected if it does not); an exp (rejected after it); may contain a jti, which the server may use to reject replays; and must be digitally signed.',
        {
          9: 'The JWT MUST be digitally signed or have a Message Authentication Code (MAC) applied by the issuer. The authorization server MUST reject JWTs with an invalid signature or MAC.',
        },
      ),
    },
  ),
  rfc7591: rfc(
    7591,
    'OAuth 2.0 Dynamic Client Registration Protocol',
    'How a client registers at an authorization server with its metadata and a software statement.',
    {
      '2': s(
        'Client metadata',
        'Registered clients have metadata such as redirect_uris, token_endpoint_auth_method, grant_types, response_types, jwks_uri or jwks; the server may reject or replace values it does not accept.',
      ),
      '2.3': s(
        'Software statement',
        'A software statement is a JWT asserting metadata values about the client software as a bundle, signed by a party the authorization server trusts (in Open Banking, the directory). If the server does not support or trust it, it must reject the request.',
      ),
      '3.1': s(
        'Client registration request',
        'The client sends an HTTP POST to the registration endpoint with its metadata as JSON (or, in Open Banking, a signed JWT), including the software_statement.',
      ),
      '3.2.1': s(
        'Client information response',
        'The server answers 201 with the client_id and the registered metadata, and may include a registration_access_token and registration_client_uri for managing it.',
      ),
      '3.2.2': s(
        'Client registration error response',
        'The server answers 400 with error invalid_redirect_uri, invalid_client_metadata, invalid_software_statement or unapproved_software_statement, and an error_description.',
      ),
    },
  ),
  rfc7592: rfc(
    7592,
    'OAuth 2.0 Dynamic Client Registration Management Protocol',
    'Reading, updating and deleting a registration.',
    {
      '2': s(
        'Client configuration endpoint',
        'The client configuration endpoint (registration_client_uri) lets a client read, update and delete its registration, authorised with its registration access token.',
      ),
      '2.1': s(
        'Client read request',
        'The client sends a GET to its configuration endpoint with the registration access token; the server answers with the current registration.',
      ),
      '2.2': s(
        'Client update request',
        'The client sends a PUT with its full metadata, which replaces the registered values; values it omits are treated as absent.',
      ),
    },
  ),
  rfc7636: rfc(
    7636,
    'Proof Key for Code Exchange (PKCE)',
    'The client proves at the token endpoint that it is the one that started the authorization request: a stolen code is useless without the verifier.',
    {
      '4': s(
        'Protocol',
        'The client creates a code_verifier, sends its transformation (code_challenge) with the authorization request, and sends the code_verifier with the token request, where the server compares them.',
      ),
      '4.2': s(
        'Client creates the code challenge',
        'S256: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). If the client is capable of using S256, it must use S256.',
      ),
      '4.3': s(
        'Client sends the code challenge',
        'The client sends code_challenge and code_challenge_method with the authorization request.',
      ),
      '4.4': s(
        'Server returns the code',
        'The server must associate the code_challenge and code_challenge_method with the authorization code it issues, so it can verify the code_verifier later.',
      ),
      '4.5': s(
        'Client sends the code and the secret to the token endpoint',
        'The client sends code_verifier with the access token request.',
      ),
      '4.6': s(
        'Server verifies code_verifier before returning the tokens',
        'The server calculates the code challenge from the received code_verifier and compares it with the code_challenge it associated with the code. If the values are equal, the token endpoint continues processing as normal; if they are not, it must return an invalid_grant error.',
      ),
    },
  ),
  rfc7662: rfc(7662, 'OAuth 2.0 Token Introspection', 'Asking the authorization server about a token.', {
    '1': s(
      'Introduction',
      'A protected resource asks the authorization server about an OAuth token, whose contents it cannot read itself, to learn whether it is active and its meta-information, such as scope and client.',
    ),
    '2': s(
      'Introspection endpoint',
      'An OAuth endpoint that takes a token and returns a JSON document saying whether it is active and, if it is, what the authorization server knows about it. The endpoint must require some form of authorization from its callers.',
    ),
    '2.1': s(
      'Introspection request',
      'A protected resource sends the token to the introspection endpoint to learn whether it is active and what it grants; the active member says whether the token may be used now (not expired, not revoked).',
    ),
    '2.2': s(
      'Introspection response',
      'active (required) says whether the token is currently active; scope, client_id, username, token_type, exp, iat, nbf, sub, aud, iss and jti may follow. An inactive token gets only active: false, so the caller learns nothing more about it.',
    ),
  }),
  rfc9701: rfc(
    9701,
    'JWT Response for OAuth Token Introspection',
    'The introspection response as a JWT the authorization server signs (Accept: application/token-introspection+jwt).',
    {
      '5': s(
        'JWT response',
        'The response is a JWT with typ token-introspection+jwt, the iss of the authorization server, an aud naming the resource server that asked, and the introspection answer in the token_introspection claim; the resource server verifies its signature.',
      ),
    },
  ),
  rfc9421: rfc(
    9421,
    'HTTP Message Signatures',
    'Signatures over chosen components of an HTTP message (method, target URI, headers, status), carried in the Signature-Input and Signature fields.',
    {
      '2.3': s(
        'Signature parameters',
        'Metadata signed with the covered components: created (when the signature was made), expires, nonce, alg, keyid (which key to verify with) and tag (what the signature is for, set by the application profile).',
      ),
      '2.4': s(
        'Request-response signature binding',
        'With the req flag, a response signature covers components of the request that caused it — such as its method, target URI or its Signature field — so the response is cryptographically bound to that request.',
      ),
      '3.2': s(
        'Verifying a signature',
        'The verifier parses Signature-Input and Signature, checks the parameters against its policy (required components, created and expires, key and algorithm), rebuilds the signature base from the message as received and verifies the signature over it with the key; any failure means the signature is not valid.',
      ),
      '3.3.7': s(
        'JSON Web Signature (JWS) algorithms',
        'A JWS algorithm may be used when it is determined from the key (for example the alg of a JWK found by keyid); the signature base is then the JWS signing input, and the alg signature parameter is not included.',
      ),
      '4': s(
        'Including a message signature in a message',
        'Signatures travel in two fields, Signature-Input (the covered components and parameters) and Signature (the signature value), each a dictionary whose members are paired by label.',
      ),
      '4.1': s(
        'The Signature-Input HTTP field',
        'A dictionary: each label maps to an inner list of covered component identifiers followed by the signature parameters.',
      ),
      '4.2': s(
        'The Signature HTTP field',
        'A dictionary: each label maps to the signature value as a byte sequence (base64 between colons).',
      ),
      '7.2.8': s(
        'Message content',
        'A signature does not cover the message content itself; covering a Content-Digest field (RFC 9530) and checking the digest against the content extends the signature to the body.',
      ),
    },
  ),
  rfc9530: rfc(
    9530,
    'Digest Fields',
    'Content-Digest and Repr-Digest: a hash of the message content, which an HTTP message signature can cover.',
    {
      '2': s(
        'The Content-Digest field',
        'A dictionary of algorithm to digest of the message content as sent, e.g. sha-256=:<base64>:; the recipient computes the digest of what it received and compares.',
      ),
    },
  ),
  rfc8941: rfc(
    8941,
    'Structured Field Values for HTTP',
    'The typed syntax of structured header fields: lists, dictionaries, items and parameters.',
    {
      '3.2': s(
        'Dictionaries',
        'An ordered map of keys to items or inner lists, each with optional parameters, separated by commas.',
      ),
    },
  ),
  rfc8414: rfc(
    8414,
    'OAuth 2.0 Authorization Server Metadata',
    'The metadata document an authorization server publishes at /.well-known/.',
    {
      '2': s(
        'Authorization server metadata',
        'The metadata includes issuer, authorization_endpoint, token_endpoint, jwks_uri, registration_endpoint, and the methods and algorithms the server supports.',
      ),
      '3': s(
        'Obtaining authorization server metadata',
        'Metadata is retrieved with an HTTP GET of the well-known URI built from the issuer, over TLS.',
      ),
      '3.3': s(
        'Metadata validation',
        'The issuer value returned must be identical to the authorization server’s issuer identifier value into which the well-known URI string was inserted to create the URL used to retrieve the metadata. If these values are not identical, the data contained in the response must not be used.',
      ),
    },
  ),
  rfc8705: rfc(
    8705,
    'OAuth 2.0 Mutual-TLS Client Authentication and Certificate-Bound Access Tokens',
    'Client certificates as client credentials, and access tokens bound to a certificate.',
    {
      '2': s(
        'Mutual TLS for OAuth client authentication',
        'The client authenticates with a TLS client certificate in a mutually authenticated TLS connection; the authorization server checks that the certificate matches the one registered for the client.',
      ),
      '2.1': s(
        'PKI mutual-TLS method (tls_client_auth)',
        'The client is identified by a certificate issued by a trusted certificate authority; the registration names one expected subject value (tls_client_auth_subject_dn, or a SAN), and the certificate presented must match it.',
      ),
      '2.1.2': s(
        'Client registration metadata',
        'tls_client_auth_subject_dn: the expected subject distinguished name of the certificate the client will use in mutual TLS authentication.',
      ),
      '2.2': s(
        'Self-signed certificate mutual-TLS method',
        'The client registers its certificate (in jwks or jwks_uri) and the server checks that the presented certificate is one of them.',
      ),
      '3': s(
        'Mutual-TLS client certificate-bound access tokens',
        'When an access token is bound to a certificate, the protected resource must obtain the client certificate from the mutual TLS connection and verify that it matches the certificate bound to the access token; if they do not match, it must reject the request (401, invalid_token).',
      ),
      '3.1': s(
        'JWT certificate thumbprint confirmation method',
        'The token carries the base64url SHA-256 thumbprint of the DER-encoded certificate as the x5t#S256 member of its cnf (confirmation) claim.',
      ),
      '5': s(
        'Metadata for mutual-TLS endpoint aliases',
        'mtls_endpoint_aliases: a JSON object of endpoint URLs a client uses when mutual TLS is in use, so that endpoints for other clients need not request a certificate.',
      ),
    },
  ),
  rfc8707: rfc(
    8707,
    'Resource Indicators for OAuth 2.0',
    'The resource parameter: which API a token is for.',
    {
      '2': s(
        'Resource parameter',
        'The client names the protected resource with the resource parameter; the authorization server can then audience-restrict the token (aud) to it, so the token is refused elsewhere.',
      ),
    },
  ),
  rfc8725: rfc(8725, 'JSON Web Token Best Current Practices', 'How to use JWTs safely.', {
    '3.1': s(
      'Perform algorithm verification',
      'Libraries must enable the caller to specify a supported set of algorithms and must not use any other algorithms when performing cryptographic operations; "none" must not be accepted where a signature is expected.',
    ),
    '3.11': s(
      'Use explicit typing',
      'Confusion of one kind of JWT for another can be prevented by having all the kinds use explicit typing (the typ header), and by the recipient checking it.',
    ),
  }),
  rfc9068: rfc(
    9068,
    'JWT Profile for OAuth 2.0 Access Tokens',
    'Access tokens as signed JWTs the resource server can validate.',
    {
      '1': s(
        'Introduction',
        'Access tokens are often opaque to the resource server, which must ask the authorization server about them (introspection); a JWT access token instead carries what the resource server needs, signed, so it can be validated locally.',
      ),
      '2.1': s(
        'Header',
        'JWT access tokens must include the typ header parameter "at+jwt" and must be signed.',
      ),
      '2.2': s(
        'Data structure',
        'Required claims: iss, exp, aud, sub, client_id, iat, jti; the scope and the authorization details follow.',
      ),
      '3': s(
        'Requesting a JWT access token',
        'The resource indicator (RFC 8707) names the resource; the token’s aud is that resource.',
      ),
      '4': s(
        'Validating JWT access tokens',
        'The resource server must verify the typ, that iss matches the authorization server, that aud contains its own identifier, the signature with the server’s keys, and that exp has not passed; then it checks the authorization the token carries.',
      ),
    },
  ),
  rfc9101: rfc(
    9101,
    'JWT-Secured Authorization Request (JAR)',
    'The authorization request as a signed JWT (request object).',
    {
      '4': s(
        'Request object',
        'A request object is a JWT whose claims are the authorization request parameters; it must be signed, and it should contain iss (the client_id) and aud (the authorization server).',
      ),
      '5': s(
        'Authorization request',
        'The request object is sent by value (request) or by reference (request_uri); client_id is also sent as a query parameter.',
      ),
      '6.1': s(
        'JWE encrypted request object',
        'If the request object is encrypted, the authorization server decrypts it with the key the JWE names, per RFC 7516; if it is a nested JWT, the signature of the JWS inside is then validated as for a signed request object. Any failure rejects the request.',
      ),
      '6.2': s(
        'JWS-signed request object',
        'The authorization server must validate the signature of the request object with the client’s registered keys and reject the request if it fails.',
      ),
      '6.3': s(
        'Request parameter assembly and validation',
        'The authorization server must only use the parameters in the request object, even if the same parameter is provided in the query parameter, and must check that client_id matches.',
      ),
      '10.2': s(
        'Request object replay and lifetime',
        'An attacker can replay a captured request object; servers limit its lifetime with exp and nbf and may reject reused jti values.',
      ),
    },
  ),
  rfc9110: rfc(9110, 'HTTP Semantics', 'The meaning of HTTP methods, status codes and fields.', {
    '5.6.7': s(
      'Date/time formats',
      'HTTP-date is the IMF-fixdate format, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".',
    ),
    '6': s(
      'Message abstraction',
      'Each message has control data (method and target, or status), header fields, content and trailers.',
    ),
    '15.5.1': s(
      '400 Bad Request',
      'The server cannot or will not process the request due to something that is perceived to be a client error.',
    ),
    '15.5.4': s(
      '403 Forbidden',
      'The server understood the request but refuses to fulfil it. A server that wishes to make public why the request has been forbidden can describe that reason in the response content.',
    ),
    '15.5.5': s(
      '404 Not Found',
      'The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.',
    ),
    '15.5.10': s(
      '409 Conflict',
      'The request could not be completed due to a conflict with the current state of the target resource. This code is used in situations where the user might be able to resolve the conflict and resubmit the request.',
    ),
    '15.5.16': s(
      '415 Unsupported Media Type',
      'The origin server is refusing to service the request because the content is in a format not supported by this method on the target resource.',
    ),
    '15.6.3': s(
      '502 Bad Gateway',
      'The server, while acting as a gateway or proxy, received an invalid response from an inbound server it accessed while attempting to fulfill the request.',
    ),
  }),
  rfc9112: rfc(9112, 'HTTP/1.1', 'The HTTP/1.1 message syntax.', {
    '3.2': s(
      'Request target',
      'The request target identifies the resource; in origin form it is an absolute path and an optional query.',
    ),
  }),
  rfc9126: rfc(
    9126,
    'OAuth 2.0 Pushed Authorization Requests (PAR)',
    'The client pushes the authorization request to the server over the back channel, authenticated, and sends the browser with a short-lived reference only.',
    {
      '2': s(
        'Pushed authorization request endpoint',
        'The client sends the authorization request parameters directly to the PAR endpoint with a POST, using its client authentication; the server answers with a request_uri to use at the authorization endpoint.',
      ),
      '2.1': s(
        'Request',
        'The client sends the authorization request parameters themselves; the request_uri parameter is the one exception and must not be provided. The authorization server must authenticate the client in the same way as at the token endpoint, reject the request if client authentication fails, and validate the pushed request as it would an authorization request.',
      ),
      '2.2': s(
        'Successful response',
        'The server answers 201 with request_uri (a one-time reference to the pushed parameters) and expires_in (its lifetime in seconds, short: "5 to 600 seconds").',
      ),
      '2.4': s(
        'Management of client redirect URIs',
        'Because the request is authenticated, the authorization server may allow a redirect_uri not pre-registered; when pre-registered URIs are required, the pushed redirect_uri must match one.',
      ),
      '4': s(
        'Authorization request',
        'The client sends the user-agent to the authorization endpoint with client_id and request_uri only. The server must validate that the request_uri has not expired and was issued to that client_id.',
      ),
      '5': s(
        'Authorization server metadata',
        'require_pushed_authorization_requests: the server accepts authorization request data only via PAR.',
      ),
    },
  ),
  rfc9396: rfc(
    9396,
    'OAuth 2.0 Rich Authorization Requests (RAR)',
    'The authorization_details parameter carries fine-grained authorization data (a payment, access to named accounts) as JSON objects with a type, beyond what scope can say.',
    {
      '2': s(
        'Request parameter authorization_details',
        'A JSON array of objects, each with a type that determines its other fields, e.g. payment_initiation with instructedAmount, creditorName, creditorAccount and remittanceInformationUnstructured. It may be sent wherever scope is: in the authorization request, the pushed request (PAR) or a request object.',
      ),
      '2.2': s(
        'Common data fields',
        'Types may use common fields: locations (the resource servers the detail is for), actions (what the client wants to do), datatypes, identifier and privileges.',
      ),
      '3.1': s(
        'Relationship to the scope parameter',
        'scope and authorization_details may be used in the same request; the authorization server decides how they combine, and may require a detail to refine a given scope.',
      ),
      '5': s(
        'Authorization error response',
        'The authorization server must refuse to process any unknown authorization details type or details not conforming to the type definition, and must abort with the error invalid_authorization_details. It may also refuse a type the client is not allowed to use.',
      ),
      '6': s(
        'Token request',
        'The client may send authorization_details in the token request to ask for an access token with some of the details granted; the server processes them as it would at the authorization endpoint.',
      ),
      '6.1': s(
        'Comparing authorization details',
        'Details in a token request must be covered by the details the user granted for the code or refresh token; a request for more, or for other details, is refused with invalid_authorization_details.',
      ),
      '7': s(
        'Token response',
        'The token response contains the authorization_details granted, and the access token (for JWT access tokens, its authorization_details claim) carries them. The server may add what the user chose, e.g. the accounts selected; the resource server enforces the details, not only the scope.',
      ),
      '9': s(
        'Token introspection',
        'The introspection response carries the authorization_details of the token, so a resource server using opaque tokens learns what was granted.',
      ),
      '10': s(
        'Metadata',
        'authorization_details_types_supported in the server metadata lists the types it understands; authorization_details_types in client metadata the types a client may use.',
      ),
    },
  ),
  rfc9207: rfc(
    9207,
    'OAuth 2.0 Authorization Server Issuer Identification',
    'The iss parameter in the authorization response, against mix-up attacks.',
    {
      '2': s(
        'Response parameter iss',
        'The authorization server adds iss, its issuer identifier, to the authorization response (and error responses), and announces this with authorization_response_iss_parameter_supported.',
      ),
      '2.4': s(
        'Validation of the issuer identifier',
        'Clients that support this must extract iss from the authorization response and compare it to the issuer of the authorization server they sent the request to (simple string comparison). If the value does not match, the client must reject the authorization response and must not proceed with the authorization grant.',
      ),
    },
  ),
  rfc9449: rfc(
    9449,
    'OAuth 2.0 Demonstrating Proof of Possession (DPoP)',
    'Access and refresh tokens bound to a key the client holds; each request carries a fresh signed proof.',
    {
      '4.2': s(
        'DPoP proof JWT syntax',
        'Header: typ "dpop+jwt", alg (asymmetric), jwk (the public key). Claims: jti (unique), htm (the HTTP method), htu (the HTTP target URI without query and fragment), iat; ath (the hash of the access token) when presented with one; nonce when the server provided one.',
      ),
      '4.3': s(
        'Checking DPoP proofs',
        'To validate a DPoP proof, the receiving server must ensure the following:',
        {
          1: 'there is not more than one DPoP HTTP request header field;',
          2: 'the DPoP HTTP request header field value is a single and well-formed JWT;',
          3: 'all required claims per Section 4.2 are contained in the JWT;',
          4: 'the typ JOSE header parameter has the value dpop+jwt;',
          5: 'the alg JOSE header parameter indicates a registered asymmetric digital signature algorithm, is not none, is supported by the application, and is acceptable per local policy;',
          6: 'the JWT signature verifies with the public key contained in the jwk JOSE header parameter;',
          7: 'the jwk JOSE header parameter does not contain a private key;',
          8: 'the htm claim matches the HTTP method of the current request;',
          9: 'the htu claim matches the HTTP URI value for the HTTP request in which the JWT was received, ignoring any query and fragment parts;',
          10: 'if the server provided a nonce value to the client, the nonce claim matches the server-provided nonce value;',
          11: 'the creation time of the JWT, as determined by either the iat claim or a server managed timestamp via the nonce claim, is within an acceptable window (see Section 11.1);',
          12: 'if presented to a protected resource in conjunction with an access token, ensure that the value of the ath claim equals the hash of that access token, and confirm that the public key to which the access token is bound matches the public key from the DPoP proof.',
        },
      ),
      '5': s(
        'DPoP access token request',
        'The client sends a DPoP proof with the token request; the server binds the issued access token (and, for confidential clients, may bind the refresh token) to the proof’s public key and answers token_type "DPoP".',
      ),
      '6': s(
        'Public key confirmation',
        'A DPoP-bound access token carries the JWK SHA-256 thumbprint of the public key in the jkt member of its cnf claim.',
      ),
      '6.1': s(
        'JWK thumbprint confirmation method',
        'jkt: the base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP public key to which the access token is bound.',
      ),
      '7': s(
        'Protected resource access',
        'The client presents the access token with the DPoP scheme and a proof for that request; the resource server checks the proof (including ath) and the binding.',
      ),
      '7.1': s(
        'The DPoP authentication scheme',
        'A DPoP-bound access token is sent using the Authorization request header field with the "DPoP" scheme, together with the DPoP header carrying the proof. A resource server must not accept a DPoP-bound token as a bearer token.',
      ),
      '8': s(
        'Authorization server-provided nonce',
        'The authorization server can answer use_dpop_nonce with a DPoP-Nonce header; the client then retries with the nonce in its proof, which limits how long a proof can be used.',
      ),
      '9': s(
        'Resource server-provided nonce',
        'A resource server can likewise require a nonce, answering 401 with error use_dpop_nonce in the WWW-Authenticate header and a DPoP-Nonce header.',
      ),
      '10': s(
        'Authorization code binding to a DPoP key',
        'The client can bind the authorization code to its DPoP key with the dpop_jkt authorization request parameter; the server then requires a proof with that key at the token endpoint.',
      ),
      '10.1': s(
        'DPoP with pushed authorization requests',
        'When PAR is used, the client can send a DPoP proof with the pushed request; the server binds the code to that key, as with dpop_jkt.',
      ),
      '11.1': s(
        'DPoP proof replay',
        'An attacker who obtains a proof could replay it. Servers limit the time window in which a proof is accepted (iat, or a server nonce) and can store jti values to reject a proof used twice.',
      ),
    },
  ),
};
