// The scripted customer follows the bank's redirects and stops at the first one off the bank's host (the
// authorization response on its way to the client), and gives up on a redirect loop.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerBrowser, redirectOf } from '../../src/customer/customer-browser.js';

describe('redirects', () => {
  let server: Server;
  let origin: string;
  const agent = new Agent();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const hop = Number(new URL(req.url!, 'http://x').searchParams.get('hop') ?? 0);
      const location = req.url!.startsWith('/away')
        ? 'http://elsewhere.localhost/cb?code=c'
        : `/loop?hop=${hop + 1}`;
      res.writeHead(302, { location }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await agent.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('ends a visit at the first redirect off the bank, without following it', async () => {
    const browser = new CustomerBrowser({ dispatcher: agent, bank: origin });
    const back = redirectOf(await browser.open(`${origin}/away`));
    expect(back.url.href).toBe('http://elsewhere.localhost/cb?code=c');
    expect(back.params.get('code')).toBe('c');
  });

  it('gives up after 20 redirects on the bank', async () => {
    const browser = new CustomerBrowser({ dispatcher: agent, bank: origin });
    await expect(browser.open(`${origin}/loop`)).rejects.toThrow(
      `more than 20 redirects from ${origin}/loop`,
    );
  });
});
