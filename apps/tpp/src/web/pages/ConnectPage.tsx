// Connect a bank: the learner picks a security profile and a client authentication, in plain words,
// and Moneywise sends the browser to the bank once the consent and the pushed request are in place.
import { type FormEvent, useState } from 'react';
import type {
  AccountAction,
  ApiError,
  ClientAuthMethod,
  ClientAuthView,
  ProfileId,
  ProfileView,
  StartConnectionResponse,
} from '../../shared/api.js';
import { ACCOUNT_ACTION_TEXT } from '../../shared/consent-models.js';
import { apiRequest, asApiError } from '../api.js';
import { type Choice, ChoiceGroup, OptionChoice } from '../components/ChoiceGroup.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { ProfileLadder } from '../components/ProfileLadder.js';
import { useResource } from '../components/useResource.js';
import { Link, useRouter } from '../router.js';

export interface ConnectPageProps {
  /** Where the browser goes next; a test passes a spy instead of leaving the page. */
  redirect?: (url: string) => void;
}

export function ConnectPage({ redirect = (url) => window.location.assign(url) }: ConnectPageProps) {
  const options = useResource<{ profiles: ProfileView[]; clientAuthMethods: ClientAuthView[] }>('/profiles');
  const { search } = useRouter();
  // "Connect with FAPI 2.0 + mTLS" links (the inspector's profile comparison) preselect the profile.
  const [profile, setProfile] = useState<ProfileId>(() => {
    const asked = search.get('profile');
    return asked === 'fapi2-mtls' || asked === 'fapi1-advanced' || asked === 'fapi1-baseline'
      ? asked
      : 'fapi2-dpop';
  });
  const [clientAuth, setClientAuth] = useState<ClientAuthMethod>('private_key_jwt');
  const [encryptRequestObject, setEncryptRequestObject] = useState(false);
  const [encryptIdToken, setEncryptIdToken] = useState(false);
  const [encryptJarm, setEncryptJarm] = useState(false);
  const [authorization, setAuthorization] = useState<'intent' | 'authorization-details'>('intent');
  const [actions, setActions] = useState<AccountAction[]>([...ACCOUNT_ACTIONS]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  // JARM §2.2: only a profile answering with a JARM response (FAPI 1.0 Advanced) has one to encrypt.
  const jarm = options.data?.profiles.find((p) => p.id === profile)?.jarm === true;
  // RFC 9396 §5: the bank offers authorization_details to FAPI 2.0 clients only.
  const byDetails = profile.startsWith('fapi2') && authorization === 'authorization-details';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const started = await apiRequest<StartConnectionResponse>('/connections', {
        json: {
          profile,
          clientAuth,
          ...(encryptRequestObject ? { encryptRequestObject } : {}),
          ...(encryptIdToken ? { encryptIdToken } : {}),
          ...(jarm && encryptJarm ? { encryptJarm } : {}),
          ...(byDetails ? { authorization, actions } : {}),
        },
      });
      redirect(started.authorizationUrl);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="connect-title">
      <h1 id="connect-title">Connect a bank</h1>
      <p className="lead">
        Choose how Moneywise talks to Sandbox Bank. Each choice is a different security profile; the bank will
        ask you to log in and approve access to your accounts.
      </p>
      <p>
        <Link to="/connect/decoupled" data-testid="decoupled-link">
          Or connect with no redirect: the customer approves on the bank&rsquo;s app (decoupled, FAPI-CIBA)
        </Link>
      </p>
      {options.error ? <ErrorNotice error={options.error} /> : null}
      {options.data ? (
        <form onSubmit={submit} className="connect-form" data-testid="connect-form">
          <ChoiceGroup
            legend="Security profile"
            name="profile"
            choices={options.data.profiles.map((p) => ({
              value: p.id,
              title: p.title,
              summary: p.summary,
              detail: (
                <ul className="rules">
                  {p.rules.map((rule) => (
                    <li key={rule.rule}>
                      {rule.rule} <span className="clause">{rule.clause}</span>
                    </li>
                  ))}
                </ul>
              ),
            }))}
            value={profile}
            onChange={setProfile}
            inputTestIdPrefix="profile"
          />
          <ChoiceGroup
            legend="How Moneywise proves who it is"
            name="clientAuth"
            choices={options.data.clientAuthMethods.map((m) => ({
              value: m.id,
              title: m.title,
              summary: m.summary,
              clause: m.clause,
            }))}
            value={clientAuth}
            onChange={setClientAuth}
            compact
            inputTestIdPrefix="client-auth"
          />
          {profile.startsWith('fapi2') ? (
            <ChoiceGroup
              legend="How the bank asks you to approve account access"
              name="authorization"
              choices={CONSENT_CHOICES}
              value={authorization}
              onChange={setAuthorization}
              compact
              testId="account-authorization"
              inputTestIdPrefix="authorization"
            >
              {byDetails ? (
                <fieldset className="account-actions" data-testid="account-actions">
                  <legend>account_information actions Moneywise asks for</legend>
                  {ACCOUNT_ACTIONS.map((action) => (
                    <label key={action}>
                      <input
                        type="checkbox"
                        checked={actions.includes(action)}
                        onChange={(event) =>
                          setActions((current) =>
                            event.target.checked ? [...current, action] : current.filter((a) => a !== action),
                          )
                        }
                        data-testid={`action-${action}`}
                      />{' '}
                      <code>{action}</code> ({ACCOUNT_ACTION_TEXT[action]})
                    </label>
                  ))}
                </fieldset>
              ) : null}
            </ChoiceGroup>
          ) : null}
          <fieldset className="choices choices-compact">
            <legend>Options</legend>
            <OptionChoice
              checked={encryptRequestObject}
              onChange={setEncryptRequestObject}
              testId="option-encrypt-request-object"
              title="Encrypt the request object (JWE)"
              clause="RFC 9101 §6.1, OIDC Core §10.2"
            >
              Moneywise signs its authorization request, then encrypts it to the bank&rsquo;s published key
              (RSA-OAEP-256, A256GCM): only the bank can read it. The signature still proves it is
              Moneywise&rsquo;s.
            </OptionChoice>
            <OptionChoice
              checked={encryptIdToken}
              onChange={setEncryptIdToken}
              testId="option-encrypt-id-token"
              title="Encrypt the ID token (JWE)"
              clause="OIDC Core §10.2, OIDC Registration §2"
            >
              The bank signs the ID token, then encrypts it to Moneywise&rsquo;s published key (RSA-OAEP-256,
              A256GCM): who the customer is and what they consented to stay readable by Moneywise alone.
              Moneywise registers a client of its own for this.
            </OptionChoice>
            {jarm ? (
              <OptionChoice
                checked={encryptJarm}
                onChange={setEncryptJarm}
                testId="option-encrypt-jarm"
                title="Encrypt the JARM response (JWE)"
                clause="JARM §2.2, JARM §3"
              >
                The bank signs its authorization response, then encrypts it to Moneywise&rsquo;s published key
                (RSA-OAEP-256, A256GCM): the code and state cross the browser, its history and extensions
                unreadable. Moneywise registers a client of its own for this.
              </OptionChoice>
            ) : null}
          </fieldset>
          <div className="actions">
            <button
              type="submit"
              className="button primary"
              disabled={busy || (byDetails && actions.length === 0)}
              data-testid="connect-button"
            >
              {busy ? 'Preparing the request…' : 'Connect to Sandbox Bank'}
            </button>
          </div>
          <div aria-live="polite" className="sr-status">
            {busy
              ? byDetails
                ? 'Pushing the account access to the bank'
                : 'Creating the consent and pushing the authorization request'
              : ''}
          </div>
        </form>
      ) : options.loading ? (
        <p>Loading…</p>
      ) : null}
      {error ? <ErrorNotice error={error} title="Moneywise could not start the connection" /> : null}
      <ProfileLadder />
    </section>
  );
}

/** RFC 9396 §2.2: the actions a rich authorization request may ask for. */
const ACCOUNT_ACTIONS = Object.keys(ACCOUNT_ACTION_TEXT) as AccountAction[];

/** The two ways account access is asked for, side by side (the inspector contrasts them further). */
const CONSENT_CHOICES: readonly Choice<'intent' | 'authorization-details'>[] = [
  {
    value: 'intent',
    title: 'UK intent (consent created at the bank API)',
    summary:
      'Moneywise first creates an account-access consent at the bank API with its permissions, then names its id in the pushed request.',
    clause: 'UK OB Account and Transaction API v3.1, UK OB Security Profile',
  },
  {
    value: 'authorization-details',
    title: 'Rich authorization request (account_information details in the PAR)',
    summary:
      'Nothing is created at the bank API: the access itself (the actions below) travels in the pushed request with scope openid accounts; you choose the accounts at the bank.',
    clause: 'RFC 9396 §2, §2.2',
  },
];
