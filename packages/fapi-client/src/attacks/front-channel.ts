// The customer's browser opening an authorization URL at the bank, for attacks on the authorization
// request: the bank refuses on its error page (status and error), or by sending the customer back to the
// client with an error (RFC 6749 §4.1.2.1; in a JARM response for FAPI 1.0, JARM §4.1). Either way the refusal is thrown as a RefusedPage.
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { decodeJwt } from 'jose';
import { CustomerBrowser, pageError } from '../customer/customer-browser.js';
import type { AttackContext } from './attack.js';
import { RefusedPage } from './runner.js';

export async function openAtBank(ctx: AttackContext, url: URL): Promise<void> {
  const agent = createSandboxAgent({}, ctx.config);
  try {
    const browser = new CustomerBrowser({ dispatcher: agent, bank: ctx.config.bankOp.issuer });
    const visit = await browser.authorize(url, ctx.customer);
    const sent = { method: 'GET', url: url.href, headers: {} };
    if (visit.kind === 'page' && visit.status >= 400) {
      const [error = 'error', ...description] = (pageError(visit) ?? '').split(': ');
      throw new RefusedPage(sent, { status: visit.status, error, description: description.join(': ') });
    }
    if (visit.kind === 'redirect') {
      const answer = errorOf(visit.params);
      if (answer.error) {
        throw new RefusedPage(sent, { status: 303, error: answer.error, description: answer.description });
      }
    }
  } finally {
    await agent.close();
  }
}

/** The error of an authorization response: its query's, or, for JARM, its JWT's (read, not trusted). */
function errorOf(params: URLSearchParams): { error?: string; description: string } {
  const jarm = params.get('response');
  const claims = jarm ? decodeJwt(jarm) : Object.fromEntries(params);
  return {
    ...(typeof claims.error === 'string' ? { error: claims.error } : {}),
    description: typeof claims.error_description === 'string' ? claims.error_description : '',
  };
}
