// Where a server's busy time goes, by concern: the share of a CPU profile's samples spent in TLS and HTTP,
// in JOSE and other cryptography (what the floor server does too), and in what only the sandbox does (the
// web framework, the OAuth library, the store, the flow trace, the response contract, logging, its own
// checks and routes) and the garbage collector. This is the profile that explains a ratio below its target.
// A sample belongs to the nearest frame on its stack whose source says which concern it is; a party's
// bundle (dev/party-bundle.ts) is read back to its source files through the `// <path>` lines esbuild
// writes before each module.
import fs from 'node:fs';

export interface ConcernNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Matched in order against a frame's source file (a bundle's frames resolved to theirs). */
const CONCERNS: readonly [concern: string, source: RegExp][] = [
  ['flow trace (recording, redaction)', /fapi-core\/src\/(trace|redact)/],
  ['response contract (OpenAPI, ajv)', /bank-api\/src\/openapi\/|\/ajv|ajv-formats/],
  ['logging (pino)', /\/pino|sonic-boom|fapi-core\/src\/log\.ts/],
  [
    'store (SQLite, PostgreSQL, Redis)',
    /kysely|better-sqlite3|\/pg\/|pg-protocol|ioredis|bank-domain\/src|\/src\/storage\/|sql-database\.ts/,
  ],
  ['JOSE and cryptography', /\/jose\/|node:internal\/crypto|node:crypto|fapi-core\/src\/jose\//],
  ['OAuth server (oidc-provider, koa)', /oidc-provider|\/koa|@koa/],
  [
    'web framework (express)',
    /\/express\/|\/router\/|body-parser|parseurl|content-type|finalhandler|path-to-regexp|on-finished|type-is|accepts|negotiator|\/send\//,
  ],
  [
    'TLS and HTTP (node)',
    /node:_http|node:http|node:https|node:net|node:tls|node:_tls|streams|node:events|undici/,
  ],
  ['the sandbox (checks, routes, pages)', /^(apps|packages)\//],
];

/** Native functions that are TLS writes whichever JavaScript called them. */
const NATIVE_IO = new Set(['writev', 'writeUtf8String', 'writeLatin1String', 'writeBuffer', 'writeString']);

/** The source file of each line of a bundle, from esbuild's `// apps/…/file.ts` lines. */
const bundleSources = new Map<string, { line: number; file: string }[]>();

function sourceOf(url: string, lineNumber: number): string {
  const path = url.replace(/^file:\/\//, '');
  if (!path.includes('/fapi-sandbox/bundles/')) return url;
  let starts = bundleSources.get(path);
  if (!starts) {
    starts = [];
    const lines = fs.existsSync(path) ? fs.readFileSync(path, 'utf8').split('\n') : [];
    lines.forEach((text, index) => {
      const named = /^\/\/ ((?:apps|packages)\/\S+)$/.exec(text);
      if (named) starts!.push({ line: index, file: named[1]! });
    });
    bundleSources.set(path, starts);
  }
  let found = '(bundle)';
  for (const start of starts) {
    if (start.line > lineNumber) break;
    found = start.file;
  }
  return found;
}

function concernOfFrame(frame: ConcernNode['callFrame']): string | undefined {
  if (!frame.url) return undefined;
  const source = sourceOf(frame.url, frame.lineNumber);
  return CONCERNS.find(([, pattern]) => pattern.test(source))?.[0];
}

/** Samples per concern, given each profile node's sample count (idle samples left out by the caller). */
export function samplesByConcern(
  nodes: readonly ConcernNode[],
  hits: Map<number, number>,
): Map<string, number> {
  const parentOf = new Map<number, ConcernNode>();
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const byConcern = new Map<string, number>();
  for (const [id, count] of hits) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    let concern: string | undefined;
    const name = leaf.callFrame.functionName;
    if (name === '(garbage collector)') concern = 'garbage collector';
    else if (name === '(program)') concern = 'V8 itself (compiling, ICs)';
    else if (NATIVE_IO.has(name) && !leaf.callFrame.url) concern = 'TLS and HTTP (node)';
    for (let node: ConcernNode | undefined = leaf; node && !concern; node = parentOf.get(node.id)) {
      concern = concernOfFrame(node.callFrame);
    }
    concern ??= 'other';
    byConcern.set(concern, (byConcern.get(concern) ?? 0) + count);
  }
  return byConcern;
}
