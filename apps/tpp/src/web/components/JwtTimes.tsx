// The time claims of a decoded JWT (RFC 7519 §4.1.4-4.1.6, OIDC Core §2 auth_time) as local times beside
// their numbers, and how far they are from now: "exp 1719741600 = 30 Jun 2025, 10:00:00 (in 60 s)".
const TIME_CLAIMS = ['iat', 'nbf', 'exp', 'auth_time'] as const;

/** "in 60 s", "3 min ago", "in 2 h", "5 d ago". */
export function relativeTime(seconds: number, nowMs: number): string {
  const diff = Math.round(seconds - nowMs / 1000);
  const size = Math.abs(diff);
  const amount =
    size < 90
      ? `${size} s`
      : size < 90 * 60
        ? `${Math.round(size / 60)} min`
        : size < 36 * 3600
          ? `${Math.round(size / 3600)} h`
          : `${Math.round(size / 86400)} d`;
  if (size === 0) return 'now';
  return diff > 0 ? `in ${amount}` : `${amount} ago`;
}

export function localTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

export function JwtTimes({ claims, now = Date.now() }: { claims: Record<string, unknown>; now?: number }) {
  const times = TIME_CLAIMS.flatMap((name) => {
    const value = claims[name];
    return typeof value === 'number' && Number.isFinite(value) ? [{ name, value }] : [];
  });
  if (times.length === 0) return null;
  return (
    <dl className="jwt-times" data-testid="jwt-times">
      {times.map(({ name, value }) => (
        <div key={name}>
          <dt>
            <code>{name}</code>
          </dt>
          <dd>
            <code>{value}</code> ={' '}
            <time dateTime={new Date(value * 1000).toISOString()}>{localTime(value)}</time>{' '}
            <span className="muted">({relativeTime(value, now)})</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
