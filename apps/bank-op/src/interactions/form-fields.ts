// Reading the customer's form posts (application/x-www-form-urlencoded, HTML §4.10.21.7): a field is a
// string or it is absent, never an object the parser made up; a link the bank shows is a web URL or none.

export function formValue(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function formValues(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The value as a web URL, or undefined when it is none (never a javascript: or data: link). */
export function webUrl(value: string | undefined): URL | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}
