// One message in full: what it proves and the clause, the checks every party ran, the presented key or
// certificate beside the token's cnf (where there is a token), the decoded JWTs with their times, headers
// and bodies (secrets already redacted), and a link to the message.
import { type ReactNode, useState } from 'react';
import { LANE_TITLES, type TimelineEntry } from '../../shared/timeline.js';
import { ClauseChip } from './ClauseChip.js';
import { formatTime } from './format.js';
import { JwtTimes } from './JwtTimes.js';
import { MessageSignature } from './MessageSignature.js';
import { carriesToken, type Outcome, outcomeOf } from './outcome.js';

function Json({ value }: { value: unknown }) {
  return <pre className="code">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>;
}

function Headers({ headers, label }: { headers?: Record<string, string>; label: string }) {
  if (!headers || Object.keys(headers).length === 0) return null;
  return (
    <details>
      <summary>{label}</summary>
      <dl className="headers">
        {Object.entries(headers).map(([name, value]) => (
          <div key={name} className="header-row">
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function checkClass(passed: boolean, outcome: Outcome): string {
  return passed ? 'pass' : outcome === 'expected' ? 'expected' : 'fail';
}

function CopyLink({ href }: { href: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(href);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <p className="permalink">
      <a href={href} data-testid="message-permalink">
        Link to this message
      </a>{' '}
      <button type="button" className="button small" onClick={() => void copy()} data-testid="copy-link">
        Copy link
      </button>{' '}
      <span role="status" className="muted">
        {copied === 'yes' ? 'Link copied.' : copied === 'no' ? 'Copying failed: copy the link above.' : ''}
      </span>
    </p>
  );
}

export function TimelineDetail({
  entry,
  permalink,
  children,
}: {
  entry: TimelineEntry;
  permalink?: string;
  /** What the inspector offers beside the message (the attack lab's "Try to break it"). */
  children?: ReactNode;
}) {
  const outcome = outcomeOf(entry);
  return (
    <article
      className="detail"
      data-testid="timeline-detail"
      data-outcome={outcome}
      aria-labelledby="detail-title"
    >
      <h2 id="detail-title">{entry.title}</h2>
      {permalink ? <CopyLink href={permalink} /> : null}
      <p className="muted">
        {formatTime(entry.at)} · {LANE_TITLES[entry.from]} → {LANE_TITLES[entry.to]} ·{' '}
        {entry.channel === 'front'
          ? 'front channel (browser)'
          : entry.channel === 'back'
            ? 'back channel'
            : 'check'}{' '}
        · reported by {entry.reportedBy.map((p) => LANE_TITLES[p]).join(' and ')}
      </p>
      {entry.explanation ? (
        <p className="explanation">
          {entry.explanation} {entry.clause ? <ClauseChip clause={entry.clause} /> : null}
        </p>
      ) : null}
      {outcome === 'expected' ? (
        <p className="expected-refusal" data-testid="expected-refusal">
          An expected refusal: the flow provoked it on purpose, and the party refused as the rule says it
          must.
        </p>
      ) : null}
      {entry.method || entry.url ? (
        <p className="request-line">
          <code>
            {entry.method} {entry.url}
          </code>
          {entry.status !== undefined ? (
            <span
              className={`status status-${outcome === 'expected' ? 'expected' : `${Math.floor(entry.status / 100)}xx`}`}
            >
              {entry.status}
            </span>
          ) : null}
        </p>
      ) : null}
      {entry.checks.length > 0 ? (
        <section aria-label="Checks">
          <h3>Checks</h3>
          <ul className="checks" data-testid="timeline-checks">
            {entry.checks.map((check, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a static list; two parties may run a check of the same name
              <li key={`${check.name}-${i}`} className={checkClass(check.passed, outcome)}>
                <span className="check-mark" aria-hidden="true">
                  {check.passed ? '✓' : '✗'}
                </span>
                <span className="sr-only">
                  {check.passed ? 'Passed:' : outcome === 'expected' ? 'Refused, as expected:' : 'Failed:'}
                </span>
                <span>
                  <strong>{check.name}</strong> <span className="muted">({LANE_TITLES[check.by]})</span>
                  <br />
                  {check.detail} <ClauseChip clause={check.clause} />
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {children}
      {entry.binding && carriesToken(entry) ? (
        <section
          aria-label="Token binding"
          className="binding"
          data-testid="timeline-binding"
          data-matches={String(entry.binding.matches ?? '')}
        >
          <h3>
            {entry.binding.kind === 'dpop'
              ? 'DPoP key beside the token’s cnf'
              : entry.binding.kind === 'bearer'
                ? 'A bearer token: no cnf, bound to nothing'
                : 'Client certificate beside the token’s cnf'}
          </h3>
          {entry.binding.kind === 'bearer' ? (
            <p data-testid="timeline-bearer">
              FAPI 1.0 Baseline (Part 1 §6.2.1-2): whoever holds this token can use it, with any certificate
              or none. FAPI 1.0 Advanced binds it to Moneywise’s certificate; FAPI 2.0 to a certificate or a
              DPoP key.
            </p>
          ) : null}
          <dl>
            <div>
              <dt>
                {entry.binding.kind === 'dpop'
                  ? 'Proof key thumbprint (jkt)'
                  : 'Presented certificate x5t#S256'}
              </dt>
              <dd>
                <code>{entry.binding.presented ?? '—'}</code>
              </dd>
            </div>
            <div>
              <dt>Token cnf</dt>
              <dd>
                <code>{entry.binding.cnf ? JSON.stringify(entry.binding.cnf) : '—'}</code>
              </dd>
            </div>
          </dl>
          {entry.binding.matches !== undefined ? (
            <p className={entry.binding.matches ? 'pass' : 'fail'}>
              {entry.binding.matches
                ? 'They match: the caller holds what the token is bound to.'
                : 'They differ: the token is not bound to this caller.'}
            </p>
          ) : null}
        </section>
      ) : null}
      <MessageSignature entry={entry} />
      {entry.certificate && !(entry.binding && carriesToken(entry)) ? (
        <p>
          Client certificate <code>{entry.certificate.subject}</code> x5t#S256{' '}
          <code>{entry.certificate.x5tS256}</code>
        </p>
      ) : null}
      {entry.jwts.length > 0 ? (
        <section aria-label="Decoded JWTs">
          <h3>JWTs</h3>
          {entry.jwts.map((jwt, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a static list; the same JWT may appear at two parties
            <details key={`${jwt.where}-${i}`} className="jwt" open={i === 0}>
              <summary>
                {jwt.where}{' '}
                <span className="muted">
                  ({LANE_TITLES[jwt.by]}
                  {jwt.verified === true
                    ? ', signature verified'
                    : jwt.verified === false
                      ? ', signature not verified'
                      : ''}
                  )
                </span>
              </summary>
              <div className="jwt-parts">
                <div>
                  <h4>Header</h4>
                  <Json value={jwt.header} />
                </div>
                <div>
                  <h4>Claims</h4>
                  <Json value={jwt.claims} />
                  <JwtTimes claims={jwt.claims} />
                </div>
              </div>
            </details>
          ))}
        </section>
      ) : null}
      <Headers headers={entry.requestHeaders} label="Request headers" />
      {entry.requestBody !== undefined ? (
        <details>
          <summary>Request body</summary>
          <Json value={entry.requestBody} />
        </details>
      ) : null}
      <Headers headers={entry.responseHeaders} label="Response headers" />
      {entry.responseBody !== undefined ? (
        <details>
          <summary>Response body</summary>
          <Json value={entry.responseBody} />
        </details>
      ) : null}
    </article>
  );
}
