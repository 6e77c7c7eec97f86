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

/** Sort code and account number from a UK.OBIE.SortCodeAccountNumber identification. */
export function sortCodeAccount(identification: string): string {
  if (!/^\d{14}$/.test(identification)) return identification;
  return `${identification.slice(0, 2)}-${identification.slice(2, 4)}-${identification.slice(4, 6)} ${identification.slice(6)}`;
}
