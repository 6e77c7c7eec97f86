// Money, dates and identifiers as a customer reads them.
export function formatMoney(amount: string, currency: string, indicator?: string): string {
  const value = Number(amount);
  const formatted = new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(
    Number.isFinite(value) ? value : 0,
  );
  return indicator === 'Debit' ? `−${formatted}` : formatted;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : `${date.toLocaleTimeString('en-GB', { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * A UK.OBIE.SortCodeAccountNumber identification (6-digit sort code + 8-digit account number) as a
 * customer reads it: "Sort code 08-08-00 · Account 21325698". Anything else is shown as it is.
 */
export function sortCodeAccount(identification: string): string {
  if (!/^\d{14}$/.test(identification)) return identification;
  const sortCode = identification.slice(0, 6).match(/\d\d/g)!.join('-');
  return `Sort code ${sortCode} · Account ${identification.slice(6)}`;
}

/** The creditor of a payment the customer typed: sort code (with or without dashes) and account number. */
export function creditorAccount(sortCode: string, accountNumber: string): string | undefined {
  const identification = `${sortCode.replace(/[\s-]/g, '')}${accountNumber.trim()}`;
  return /^\d{14}$/.test(identification) ? sortCodeAccount(identification) : undefined;
}
