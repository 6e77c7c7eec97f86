// The replicas' balancer: round robin over the replicas that accept, a refusing one skipped without the
// client noticing, and TLS untouched: a replica behind it sees the client's own certificate (mutual TLS
// end to end), which no header could have told it.
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { reachableAddress, startTcpBalancer, type TcpBalancer } from '../src/tcp-balancer.js';
import { workerPort } from '../src/testing.js';
import { listen, mtlsServerOptions, readPem } from '../src/tls.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A backend that answers each connection with its name, then closes. */
async function namedBackend(name: string): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer((socket) => socket.end(name));
  const port = await workerPort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(resolve)));
  return { port, server };
}

async function balancerOver(backends: number[]): Promise<{ balancer: TcpBalancer; port: number }> {
  const port = await workerPort();
  const balancer = await startTcpBalancer({ front: { port, address: '127.0.0.1' }, backends });
  stops.push(() => balancer.stop());
  return { balancer, port };
}

/** What one connection through the balancer was answered ('' when it was closed unanswered). */
function answerAt(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(text));
  });
}

describe('the TCP pass-through balancer', () => {
  it('hands connections to the replicas in turn', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const { balancer, port } = await balancerOver([a.port, b.port]);
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await answerAt(port));
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
    expect(balancer.connections).toEqual([2, 2]);
  });

  it('skips a replica that refuses the connection: the client is served by the next one', async () => {
    const gone = await workerPort();
    const b = await namedBackend('b');
    const { balancer, port } = await balancerOver([gone, b.port]);
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await answerAt(port));
    expect(answers).toEqual(['b', 'b', 'b', 'b']);
    expect(balancer.connections).toEqual([0, 4]);
  });

  it('takes a replica back once it listens again', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const { port } = await balancerOver([a.port, b.port]);
    await new Promise((resolve) => a.server.close(resolve));
    expect([await answerAt(port), await answerAt(port)]).toEqual(['b', 'b']);
    const again = net.createServer((socket) => socket.end('a again'));
    await new Promise<void>((resolve) => again.listen(a.port, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => again.close(resolve)));
    // The refusing replica rests for a second, then is in the rotation again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const answers = new Set<string>();
    for (let i = 0; i < 4; i += 1) answers.add(await answerAt(port));
    expect(answers).toEqual(new Set(['a again', 'b']));
  });

  it('closes the client connection when no replica accepts it', async () => {
    const { balancer, port } = await balancerOver([await workerPort(), await workerPort()]);
    expect(await answerAt(port)).toBe('');
    expect(balancer.connections).toEqual([0, 0]);
  });

  it("closes a client's connection when its replica goes away, so that the client reconnects elsewhere", async () => {
    const held = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      held.add(socket);
      socket.write('hello');
    });
    const backend = await workerPort();
    await new Promise<void>((resolve) => server.listen(backend, '127.0.0.1', resolve));
    const { port } = await balancerOver([backend]);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('data', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    // What a kill -9 does to the replica's side of the connection.
    for (const side of held) side.resetAndDestroy();
    await closed;
    await new Promise((resolve) => server.close(resolve));
  });

  it("never terminates TLS: the replica sees the client's own certificate and verifies it itself (RFC 8705 §2)", async () => {
    const config = loadConfig();
    const replica = https.createServer(mtlsServerOptions(config.bankApi, config), (req, res) => {
      const socket = req.socket as tls.TLSSocket;
      res.end(
        JSON.stringify({
          authorized: socket.authorized,
          subject: socket.getPeerCertificate().subject?.CN ?? null,
          forwardedHeader: req.headers['x-ssl-client-cert'] ?? null,
        }),
      );
    });
    const backend = await listen(replica, { port: await workerPort(), address: '127.0.0.1' });
    stops.push(() => new Promise((resolve) => replica.close(resolve)));
    const { port } = await balancerOver([backend]);

    const demo = config.participants.demo;
    const call = (options: tls.ConnectionOptions) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const request = https.request(
          {
            host: '127.0.0.1',
            port,
            servername: config.bankApi.web.host,
            ca: readPem(config.ca.serverTrustBundle),
            path: '/',
            agent: false,
            ...options,
          },
          (response) => {
            let body = '';
            response.on('data', (chunk) => {
              body += chunk;
            });
            response.on('end', () => resolve(JSON.parse(body)));
          },
        );
        request.on('error', reject);
        request.end();
      });

    const expectedCn = new X509Certificate(readPem(demo.transportCert)).subject.match(/CN=([^\n]+)/)?.[1];
    expect(await call({ cert: readPem(demo.transportCert), key: readPem(demo.transportKey) })).toEqual({
      authorized: true,
      subject: expectedCn,
      forwardedHeader: null,
    });
    // A certificate from outside the directory arrives as itself, unauthorized: the replica's own check.
    expect(
      await call({
        cert: readPem(config.negative.untrustedTransportCert),
        key: readPem(config.negative.untrustedTransportKey),
      }),
    ).toMatchObject({ authorized: false });
  });

  it('reaches replicas bound to every address on loopback', () => {
    expect(reachableAddress('0.0.0.0')).toBe('127.0.0.1');
    expect(reachableAddress('::')).toBe('::1');
    expect(reachableAddress('192.168.1.20')).toBe('192.168.1.20');
  });
});
