#!/usr/bin/env bash
# FAPI 2.0 by hand: every message of a learner's own client, sent with curl and printed, request and answer.
#
#   ./walkthrough.sh <bundle.json> [username password]     (or BUNDLE=… CUSTOMER_USERNAME=… CUSTOMER_PASSWORD=…)
#
# The client bundle (from the directory's developer portal) is the only input: the transport certificate
# and key, the signing keys, the CA that verifies the parties, and where they are. curl sends everything;
# two small Node scripts make what curl cannot: jwt.mjs (client assertion, DPoP proofs, PKCE, ID token
# check) and read.mjs (JSON fields and the bank's forms, so no jq is needed). The customer's part — sign in
# and consent at the bank's pages — is done with curl too, as the demo customer (alice by default).
# README.md walks through the output message by message.
set -euo pipefail
if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
  echo "walkthrough.sh needs bash 4.4 or later (this is $BASH_VERSION; on macOS: brew install bash)" >&2
  exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
BUNDLE=${1:-${BUNDLE:-}}
CUSTOMER_USERNAME=${2:-${CUSTOMER_USERNAME:-alice}}
CUSTOMER_PASSWORD=${3:-${CUSTOMER_PASSWORD:-wonderland}}
if [[ -z $BUNDLE || ! -f $BUNDLE ]]; then
  echo "usage: $0 <bundle.json> [username password]   (download a bundle from the directory's developer portal)" >&2
  exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
jwt() { node "$HERE/jwt.mjs" "$@"; }
readjs() { node "$HERE/read.mjs" "$@"; }

readjs unpack "$BUNDLE" "$WORK" >/dev/null
# Every call verifies the server against the sandbox CA and finds the parties' *.localhost names from the
# bundle. Calls that need the client's identity on the TLS connection add the transport certificate.
TLS=(--cacert "$WORK/server-ca.pem")
while read -r entry; do TLS+=(--resolve "$entry"); done < <(readjs resolve "$BUNDLE")
TRANSPORT=(--cert "$WORK/transport.pem" --key "$WORK/transport.key")

# ---------------------------------------------------------------------------------------------------------
# One HTTP exchange. Set these, then call `send METHOD URL`:
#   HEADERS=( 'name: value' … )   FORM=( 'name=value' … )   JSON=''   MTLS=0|1   COOKIES=0|1
# It prints the request and the answer and leaves STATUS, $WORK/headers and $WORK/body.
reset_request() { HEADERS=(); FORM=(); JSON=''; MTLS=0; COOKIES=0; }

send() {
  local method=$1 url=$2 args=()
  args=(-sS -X "$method" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "${TLS[@]}")
  ((MTLS)) && args+=("${TRANSPORT[@]}")
  ((COOKIES)) && args+=(-b "$WORK/cookies" -c "$WORK/cookies")
  local header field
  for header in "${HEADERS[@]}"; do args+=(-H "$header"); done
  for field in "${FORM[@]}"; do args+=(--data-urlencode "$field"); done
  [[ -n $JSON ]] && args+=(-H 'content-type: application/json' --data-binary "$JSON")
  {
    echo "→ $method $url$( ((MTLS)) && echo '   [with the transport certificate]')"
    for header in "${HEADERS[@]}"; do echo "   $header"; done
    [[ -n $JSON ]] && echo "   content-type: application/json" && echo "$JSON" | sed 's/^/   /'
    ((${#FORM[@]})) && echo "   content-type: application/x-www-form-urlencoded"
    for field in "${FORM[@]}"; do echo "   · $field"; done
  } >"$WORK/request"
  STATUS=$(curl "${args[@]}" "$url")
  readjs exchange "$WORK/request" "$WORK/headers" "$WORK/body"
}

header_value() { grep -i "^$1:" "$WORK/headers" | tail -n 1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//' || true; }
json_field() { readjs get "$WORK/body" "$1"; }

step() { printf '\n\n════ %s\n     %s\n' "$1" "$2"; }

# Stops the walkthrough with what the server said (its error and error_description, which name the clause).
expect_status() {
  if [[ $STATUS != "$1" ]]; then
    echo
    echo "✗ Expected $1, got $STATUS: $(readjs error "$WORK/body")" >&2
    exit 1
  fi
}

# RFC 9449 §8 (authorization server) and §9 (resource server): a server that wants a nonce in the DPoP
# proof answers use_dpop_nonce with a DPoP-Nonce header; the client signs a new proof with it and sends
# the request once more. `send_with_dpop METHOD URL BUILD` calls BUILD (which sets the request, with a
# fresh proof and a fresh client assertion: the bank refuses a jti twice) before each try.
declare -A DPOP_NONCE=()
send_with_dpop() {
  local method=$1 url=$2 build=$3 origin
  origin=$(readjs url "$url" /)
  "$build" "${DPOP_NONCE[$origin]:-}"
  send "$method" "$url"
  local nonce
  nonce=$(header_value dpop-nonce)
  if [[ -n $nonce ]] && { grep -q use_dpop_nonce "$WORK/body" || grep -qi 'use_dpop_nonce' "$WORK/headers"; }; then
    echo "   ↺ the server asks for its DPoP nonce (RFC 9449 §8, §9): the same request once more, with it"
    DPOP_NONCE[$origin]=$nonce
    "$build" "$nonce"
    send "$method" "$url"
  fi
  nonce=$(header_value dpop-nonce)
  [[ -n $nonce ]] && DPOP_NONCE[$origin]=$nonce
  return 0
}

# A form POST to the bank's authorization server as this client: the fields, the client's signed assertion
# (private_key_jwt, RFC 7523 §2.2; FAPI 2.0 SP §5.3.2.1-4) and a DPoP proof for the URL (with the nonce, if any).
client_form() {
  local url=$1 nonce=$2
  shift 2
  reset_request
  HEADERS=("DPoP: $(jwt dpop "$WORK/dpop.jwk" POST "$url" "$nonce")")
  FORM=("$@" client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
    "client_assertion=$(jwt assertion "$BUNDLE" "$CLIENT_ID" "$ISSUER")")
}

ISSUER=$(readjs get "$BUNDLE" endpoints.bankIssuer)
BANK_API=$(readjs get "$BUNDLE" endpoints.bankApi)/open-banking/v3.1
REDIRECT_URI=$(readjs get "$BUNDLE" software.redirectUris.0)
jwt dpop-key "$WORK/dpop.jwk" >/dev/null
echo "$(readjs get "$BUNDLE" software.clientName) ($(readjs get "$BUNDLE" software.softwareId)) of $(readjs get "$BUNDLE" organisation.orgName)"
echo "DPoP key thumbprint (jkt) for this run: $(jwt thumbprint "$WORK/dpop.jwk")"

# ---------------------------------------------------------------------------------------------------------
step '1. Discovery' 'OpenID Connect Discovery 1.0 §4; RFC 8414 §3 — what the bank offers and where'
reset_request
send GET "$(readjs get "$BUNDLE" endpoints.bankDiscovery)"
expect_status 200
cp "$WORK/body" "$WORK/discovery.json"
discovered() { readjs get "$WORK/discovery.json" "$1"; }
REGISTRATION_ENDPOINT=$(discovered registration_endpoint)
PAR_ENDPOINT=$(discovered pushed_authorization_request_endpoint)
AUTHORIZATION_ENDPOINT=$(discovered authorization_endpoint)
TOKEN_ENDPOINT=$(discovered token_endpoint)
JWKS_URI=$(discovered jwks_uri)

step '2. The software statement assertion' 'RFC 7591 §2.3 — the directory hands it only to the software'"'"'s own transport certificate (mTLS, RFC 8705)'
reset_request
MTLS=1
HEADERS=('accept: application/jwt')
send GET "$(readjs get "$BUNDLE" endpoints.ssa)"
expect_status 200
SSA=$(cat "$WORK/body")

step '3. Dynamic client registration' 'RFC 7591 §3.1 with the SSA, over mTLS (OB DCR v3.3 §4.2); FAPI 2.0 SP §5.3.2.1: private_key_jwt, DPoP-bound tokens'
reset_request
MTLS=1
HEADERS=('accept: application/json')
JSON=$(cat <<JSON
{
  "software_statement": "$SSA",
  "redirect_uris": ["$REDIRECT_URI"],
  "token_endpoint_auth_method": "private_key_jwt",
  "token_endpoint_auth_signing_alg": "PS256",
  "dpop_bound_access_tokens": true,
  "id_token_signed_response_alg": "PS256"
}
JSON
)
send POST "$REGISTRATION_ENDPOINT"
expect_status 201
CLIENT_ID=$(json_field client_id)

step '4. A client_credentials token' 'RFC 6749 §4.4; the client authenticates with a signed assertion (RFC 7523 §2.2, §3) and binds the token to its DPoP key (RFC 9449 §5)'
client_credentials_request() { client_form "$TOKEN_ENDPOINT" "$1" grant_type=client_credentials scope=accounts; }
send_with_dpop POST "$TOKEN_ENDPOINT" client_credentials_request
expect_status 200
APP_TOKEN=$(json_field access_token)

step '5. The account-access consent' 'UK OB Account and Transaction API v3.1: POST /aisp/account-access-consents; DPoP-bound token with ath (RFC 9449 §7)'
consent_request() {
  reset_request
  MTLS=1 # not needed for a DPoP token, but bank-api files the call under it: see it in your own /trace
  HEADERS=("authorization: DPoP $APP_TOKEN"
    "DPoP: $(jwt dpop "$WORK/dpop.jwk" POST "$BANK_API/aisp/account-access-consents" "$1" "$APP_TOKEN")"
    "x-fapi-interaction-id: $(node -e 'console.log(crypto.randomUUID())')")
  JSON='{ "Data": { "Permissions": ["ReadAccountsBasic", "ReadAccountsDetail"] }, "Risk": {} }'
}
send_with_dpop POST "$BANK_API/aisp/account-access-consents" consent_request
expect_status 201
CONSENT_ID=$(json_field Data.ConsentId)

step '6. The pushed authorization request' 'RFC 9126 §2; FAPI 2.0 SP §5.3.2.2: PAR, PKCE S256 (RFC 7636), the DPoP key bound to the code (RFC 9449 §10)'
read -r CODE_VERIFIER CODE_CHALLENGE < <(jwt pkce)
STATE=$(jwt random)
NONCE=$(jwt random)
CLAIMS="{\"id_token\":{\"openbanking_intent_id\":{\"value\":\"$CONSENT_ID\",\"essential\":true},\"acr\":{\"essential\":true,\"values\":[\"urn:openbanking:psd2:sca\"]}}}"
par_request() {
  client_form "$PAR_ENDPOINT" "$1" response_type=code "client_id=$CLIENT_ID" "redirect_uri=$REDIRECT_URI" \
    'scope=openid accounts' "state=$STATE" "nonce=$NONCE" "code_challenge=$CODE_CHALLENGE" \
    code_challenge_method=S256 "claims=$CLAIMS"
}
send_with_dpop POST "$PAR_ENDPOINT" par_request
expect_status 201
REQUEST_URI=$(json_field request_uri)

step '7. The customer at the bank' "FAPI 2.0 SP §5.3.3.2-4: only client_id and request_uri in the URL; $CUSTOMER_USERNAME signs in and allows access (a browser's part, done with curl and a cookie jar)"
# GET, then the bank's own redirects, until a page of the bank's or a redirect away from it (the callback).
CALLBACK=''
visit() {
  local url=$1 method=$2 location
  while :; do
    send "$method" "$url"
    location=$(header_value location)
    if [[ $STATUS == 30? && -n $location ]]; then
      url=$(readjs url "$url" "$location")
      if [[ $url != "$ISSUER/"* ]]; then CALLBACK=$url; return; fi
      reset_request; COOKIES=1; HEADERS=('accept: text/html')
      method=GET
    else
      PAGE_URL=$url
      return
    fi
  done
}
# Fills in the page the bank showed: the sign-in form (password and the passcode the page shows), or the
# consent form (every account offered, Allow). Any other page stops the walkthrough with what it says.
answer_page() {
  local form kind rest action='' accounts=() otp=''
  form=$(readjs form "$WORK/body" "$PAGE_URL")
  reset_request; COOKIES=1
  HEADERS=('accept: text/html' "origin: $ISSUER")
  while read -r kind rest; do
    case $kind in
      PAGE) [[ $rest == other* ]] && { echo "✗ The bank stopped on: ${rest#other }" >&2; exit 1; } ;;
      ACTION) action=$rest ;;
      FIELD) FORM+=("$rest") ;;
      ACCOUNT) accounts+=("accounts=$rest") ;;
      OTP) otp=$rest ;;
    esac
  done <<<"$form"
  if [[ -n $otp ]]; then
    FORM+=("username=$CUSTOMER_USERNAME" "password=$CUSTOMER_PASSWORD" "otp=$otp" action=login)
  else
    FORM+=("${accounts[@]}" decision=allow)
  fi
  visit "$action" POST
}
reset_request; COOKIES=1; HEADERS=('accept: text/html')
visit "$AUTHORIZATION_ENDPOINT?client_id=$CLIENT_ID&request_uri=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$REQUEST_URI")" GET
for _ in 1 2 3; do
  [[ -n $CALLBACK ]] && break
  answer_page
done
[[ -n $CALLBACK ]] || { echo '✗ The bank did not send the customer back' >&2; exit 1; }

step '8. The authorization response' 'RFC 6749 §4.1.2; RFC 9207 §2.4: iss must be the bank; state must be ours (FAPI 2.0 SP §5.3.3.2)'
if [[ $CALLBACK == *'error='* ]]; then
  echo "✗ The bank answered $(readjs query "$CALLBACK" error): $(readjs query "$CALLBACK" error_description || true)" >&2
  exit 1
fi
CODE=$(readjs query "$CALLBACK" code)
echo "   The bank sent the browser to ${CALLBACK%%\?*} with"
echo "   · code=${CODE:0:8}… (single use, bound to our PKCE verifier and DPoP key)"
echo "   · state=$(readjs query "$CALLBACK" state)"
echo "   · iss=$(readjs query "$CALLBACK" iss)"
[[ $(readjs query "$CALLBACK" iss) == "$ISSUER" ]] || { echo '✗ iss is not the bank (RFC 9207 §2.4): a mix-up attack?' >&2; exit 1; }
[[ $(readjs query "$CALLBACK" state) == "$STATE" ]] || { echo '✗ state is not ours (RFC 6749 §10.12): a forged response?' >&2; exit 1; }
echo '   ✓ iss is the bank, state is ours'

step '9. The code grant' 'RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5), the client assertion and a DPoP proof by the same key as at PAR (RFC 9449 §10)'
code_request() {
  client_form "$TOKEN_ENDPOINT" "$1" grant_type=authorization_code "code=$CODE" "redirect_uri=$REDIRECT_URI" \
    "code_verifier=$CODE_VERIFIER"
}
send_with_dpop POST "$TOKEN_ENDPOINT" code_request
expect_status 200
ACCESS_TOKEN=$(json_field access_token)
ID_TOKEN=$(json_field id_token)
echo "   token_type: $(json_field token_type)"

step '10. The ID token' 'OIDC Core §3.1.3.7: signed by the bank (its jwks_uri), iss, aud, exp, and our nonce; openbanking_intent_id names the consent'
reset_request
send GET "$JWKS_URI"
expect_status 200
cp "$WORK/body" "$WORK/bank-jwks.json"
jwt verify-id-token "$ID_TOKEN" "$WORK/bank-jwks.json" "$ISSUER" "$CLIENT_ID" "$NONCE" | sed 's/^/   /'

step '11. The accounts' 'UK OB Account and Transaction API v3.1: GET /aisp/accounts; DPoP-bound token, proof with ath (RFC 9449 §7), FAPI interaction id'
accounts_request() {
  reset_request
  MTLS=1 # not needed for a DPoP token, but bank-api files the call under it: see it in your own /trace
  HEADERS=("authorization: DPoP $ACCESS_TOKEN"
    "DPoP: $(jwt dpop "$WORK/dpop.jwk" GET "$BANK_API/aisp/accounts" "$1" "$ACCESS_TOKEN")"
    "x-fapi-interaction-id: $(node -e 'console.log(crypto.randomUUID())')")
}
send_with_dpop GET "$BANK_API/aisp/accounts" accounts_request
expect_status 200
echo
echo "✓ Done: $(readjs get "$WORK/body" Data.Account | node -e 'const a = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${a.length} accounts shared: ${a.map((x) => x.AccountId).join(", ")}`)')"
