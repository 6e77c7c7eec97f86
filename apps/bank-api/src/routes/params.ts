import type { Request } from 'express';

/** A path parameter as a string (express types them loosely once middleware runs before the handler). */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
