// Reading what curl got, so the walkthrough needs no jq: a field of a JSON file, the client bundle's files
// and host names, a message shown with its secrets shortened, and the bank's sign-in and consent forms.
//
//   node read.mjs get <json-file> <path>          → a field (dotted path, e.g. endpoints.bankIssuer or keys.0.kid)
//   node read.mjs unpack <bundle> <dir>           → writes transport.pem, transport.key (0600) and server-ca.pem
//   node read.mjs resolve <bundle>                → one host:port:address per party, for curl --resolve
//   node read.mjs show <file>                     → a body: JSON pretty-printed, JWTs and tokens shortened
//   node read.mjs headers <file>                  → the response headers curl wrote (-D), tokens shortened
//   node read.mjs error <file>                    → "error: error_description" of an OAuth error body
//   node read.mjs query <url> <name>              → a query parameter of a URL (the authorization response)
//   node read.mjs url <base> <reference>          → the reference resolved against the base (a Location header)
//   node read.mjs exchange <request> <headers> <body>
//                                                 → one exchange printed: the request as sent, the answer's headers and body
//   node read.mjs form <html-file> <page-url>     → what a bank page asks for: PAGE, ACTION, FIELD, OTP, ACCOUNT lines
import fs from 'node:fs';
import path from 'node:path';

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/** Long opaque values (tokens, codes, assertions) shortened: enough to follow them, not enough to reuse them. */
const shorten = (text) =>
  text
    .replace(JWT, (jwt) => `${jwt.slice(0, 16)}…${jwt.slice(-6)} (JWT, ${jwt.length} chars)`)
    .replace(
      /("(?:access_token|refresh_token|registration_access_token)"\s*:\s*")([^"]{12})[^"]*"/g,
      '$1$2…"',
    )
    // The code and its PKCE verifier (RFC 7636 §4.1), and the bank's session cookies.
    .replace(/\b(code|code_verifier)=([A-Za-z0-9_-]{8})[A-Za-z0-9_-]+/g, '$1=$2…')
    .replace(/^(\s*Set-Cookie: [^=]+=)([^;]{8})[^;]+/gim, '$1$2…');

function field(value, dotted) {
  return dotted
    .split('.')
    .reduce((at, key) => (at === undefined || at === null ? undefined : at[key]), value);
}

/** Every element under a parse5 node, in document order. */
function* elements(node) {
  for (const child of node.childNodes ?? []) {
    if (child.tagName) {
      yield child;
      yield* elements(child);
    }
    if (child.content) yield* elements(child.content);
  }
}
const attr = (element, name) => element.attrs.find((a) => a.name === name)?.value;
const text = (element) =>
  [...(element.childNodes ?? [])]
    .map((c) => (c.nodeName === '#text' ? c.value : c.tagName ? text(c) : ''))
    .join('');

const commands = {
  get(file, dotted) {
    const value = field(JSON.parse(fs.readFileSync(file, 'utf8')), dotted);
    if (value === undefined) throw new Error(`${file} has no ${dotted}`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  },

  unpack(bundleFile, dir) {
    const bundle = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    if (bundle.format !== 'fapi-sandbox/client-bundle@1') {
      throw new Error(
        `${bundleFile} is not a client bundle: download one from the directory's developer portal`,
      );
    }
    fs.writeFileSync(path.join(dir, 'transport.pem'), bundle.transport.certificatePem);
    fs.writeFileSync(path.join(dir, 'transport.key'), bundle.transport.privateKeyPem, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'server-ca.pem'), bundle.trust.serverCaBundlePem);
    return dir;
  },

  resolve(bundleFile) {
    const bundle = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    const { trace, ...rest } = bundle.endpoints;
    const seen = new Set();
    for (const url of [...Object.values(rest), ...Object.values(trace)]) {
      const { hostname, port, protocol } = new URL(url);
      const address = bundle.resolve[hostname];
      if (address) seen.add(`${hostname}:${port || (protocol === 'https:' ? 443 : 80)}:${address}`);
    }
    return [...seen].join('\n');
  },

  async show(file) {
    const body = fs.readFileSync(file, 'utf8');
    if (body.trim() === '') return '   (no body)';
    let shown = body;
    try {
      shown = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      if (/^\s*<!doctype html|^\s*<html/i.test(body)) {
        const { parse } = await import('parse5');
        const title = [...elements(parse(body))].find((e) => e.tagName === 'title');
        shown = `<html> "${title ? text(title).trim() : 'untitled'}" (${body.length} bytes)`;
      }
    }
    return shorten(shown)
      .split('\n')
      .map((line) => `   ${line}`)
      .join('\n');
  },

  headers(file) {
    return fs
      .readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => `   ${shorten(line)}`)
      .join('\n');
  },

  error(file) {
    const body = fs.readFileSync(file, 'utf8');
    try {
      const { error, error_description: description, Errors } = JSON.parse(body);
      if (error) return `${error}: ${description ?? '(no description)'}`;
      if (Errors) return JSON.stringify(Errors);
    } catch {}
    return body.slice(0, 500);
  },

  query(url, name) {
    const value = new URL(url).searchParams.get(name);
    if (value === null) throw new Error(`${url} has no ${name} parameter`);
    return value;
  },

  url(base, reference) {
    return new URL(reference, base).href;
  },

  async exchange(requestFile, headersFile, bodyFile) {
    const request = shorten(fs.readFileSync(requestFile, 'utf8')).trimEnd();
    return `\n${request}\n←\n${commands.headers(headersFile)}\n${await commands.show(bodyFile)}`;
  },

  async form(file, pageUrl) {
    // parse5 is the WHATWG HTML parser browsers' behaviour is specified by: fields mean what they mean to a browser.
    const { parse } = await import('parse5');
    const document = parse(fs.readFileSync(file, 'utf8'));
    const all = [...elements(document)];
    const isSignIn = all.some((e) => e.tagName === 'input' && attr(e, 'name') === 'username');
    const isConsent = all.some((e) => e.tagName === 'button' && attr(e, 'name') === 'decision');
    if (!isSignIn && !isConsent) {
      const heading = all.find((e) => e.tagName === 'h1' || e.tagName === 'title');
      const message = all.find((e) => attr(e, 'role') === 'alert' || attr(e, 'data-testid') === 'error');
      return `PAGE other ${[heading, message]
        .filter(Boolean)
        .map((e) => text(e).replace(/\s+/g, ' ').trim())
        .join(': ')}`;
    }
    // The form that posts (the sign-out form, when there is one, posts elsewhere and comes after it).
    const form = all.find(
      (e) =>
        e.tagName === 'form' &&
        attr(e, 'method')?.toLowerCase() === 'post' &&
        !/sign-out$/.test(attr(e, 'action') ?? ''),
    );
    const inside = [...elements(form)];
    const lines = [
      `PAGE ${isSignIn ? 'sign-in' : 'consent'}`,
      `ACTION ${new URL(attr(form, 'action') ?? '', pageUrl)}`,
    ];
    for (const input of inside.filter((e) => e.tagName === 'input' && attr(e, 'type') === 'hidden')) {
      lines.push(`FIELD ${attr(input, 'name')}=${attr(input, 'value') ?? ''}`);
    }
    for (const input of inside.filter((e) => e.tagName === 'input' && attr(e, 'name') === 'accounts')) {
      lines.push(`ACCOUNT ${attr(input, 'value')}`);
    }
    // The demo bank shows the one-time passcode it "sent to the customer's phone" on the page itself.
    const otp = all.find((e) => attr(e, 'data-testid') === 'otp');
    if (otp) lines.push(`OTP ${text(otp).trim()}`);
    return lines.join('\n');
  },
};

const [command, ...args] = process.argv.slice(2);
if (!commands[command]) {
  console.error(`usage: node read.mjs ${Object.keys(commands).join('|')} …`);
  process.exit(2);
}
try {
  console.log(await commands[command](...args));
} catch (err) {
  console.error(`read.mjs ${command}: ${err.message}`);
  process.exit(1);
}
