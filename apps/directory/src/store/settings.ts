// Small counters and flags the directory keeps between restarts.
import type { Db } from './database.js';

export function settingsRepository(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const put = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  const crlNumber = (): number => Number(get.get('crl_number')?.value ?? '1');

  return {
    /** RFC 5280 §5.2.3: a monotonically increasing CRL number, raised whenever the revoked set changes. */
    crlNumber,
    bumpCrlNumber: (): number => {
      const next = crlNumber() + 1;
      put.run('crl_number', String(next));
      return next;
    },
  };
}

export type SettingsRepository = ReturnType<typeof settingsRepository>;
