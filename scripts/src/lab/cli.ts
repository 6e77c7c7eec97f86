// `pnpm lab`: the workshop's labs and whether the running sandbox shows each one done.
//
//   pnpm lab                                   every lab: its file and whether its check passes now
//   pnpm lab check 3                           one lab (number or slug): each piece of evidence ✓/✗
//   pnpm lab check own-client --bundle <file>  lab 8 reads your own traffic with your bundle's certificate
//
// Evidence is real traffic, read the way the parties allow: each party's GET /trace on its mTLS origin,
// with the demo TPP's transport certificate (labs 2–7: this tool runs as the sandbox's operator) or the
// learner's own (lab 8). Exit code 0 when the lab (or every lab) passes, 1 otherwise, 2 for a usage error.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClientBundle, readClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import { type SandboxConfig, sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { readCommandLine } from '../command-line.js';
import type { Evidence } from './evidence.js';
import { LABS, type Lab, type LabSources, labByName } from './labs.js';
import { bundleReader, participantReader, readTraces, type TraceRead, type TraceReader } from './traces.js';

const USAGE = `usage: pnpm lab [--bundle <file>]
       pnpm lab check <number|slug> [--bundle <file>]`;

/** Sources that read each trace once, and close their connections with `close()`. */
export function labSources(
  config: SandboxConfig,
  bundle?: ClientBundle,
): LabSources & { close(): Promise<void> } {
  const readers: TraceReader[] = [];
  const once = (make: () => TraceReader) => {
    let read: Promise<TraceRead> | undefined;
    return () => {
      if (!read) {
        const reader = make();
        readers.push(reader);
        read = readTraces(reader);
      }
      return read;
    };
  };
  const learner = bundle ? once(() => bundleReader(bundle, config)) : undefined;
  return {
    config,
    ...(bundle ? { bundle } : {}),
    demoTraffic: once(() => participantReader(config.participants.demo, config)),
    learnerTraffic: async () => learner?.(),
    close: async () => {
      await Promise.all(readers.map((reader) => reader.agent.close()));
    },
  };
}

export function formatCheck(lab: Lab, evidence: Evidence[]): string {
  const lines = [`Lab ${lab.id} · ${lab.title}   (${lab.file})`, ''];
  for (const piece of evidence) {
    lines.push(`  ${piece.found ? '✓' : '✗'} ${piece.what}`);
    lines.push(`      ${piece.found ? 'seen' : 'missing'}: ${piece.detail}`);
    if (!piece.found) lines.push(`      do: ${piece.howTo}`);
  }
  const done = evidence.filter((piece) => piece.found).length;
  lines.push(
    '',
    done === evidence.length
      ? `  Lab ${lab.id} done: ${done} of ${evidence.length} pieces of evidence seen.`
      : `  Lab ${lab.id} not done yet: ${done} of ${evidence.length} pieces of evidence seen.`,
  );
  return lines.join('\n');
}

export function formatList(results: { lab: Lab; evidence: Evidence[] }[]): string {
  const slugWidth = Math.max(...results.map(({ lab }) => lab.slug.length)) + 2;
  const titleWidth = Math.max(...results.map(({ lab }) => lab.title.length)) + 2;
  const lines = results.map(({ lab, evidence }) => {
    const done = evidence.filter((piece) => piece.found).length;
    const state = done === evidence.length ? '✓ done' : `✗ ${done}/${evidence.length}`;
    return `${String(lab.id).padStart(2)}  ${lab.slug.padEnd(slugWidth)}${lab.title.padEnd(titleWidth)}${state.padEnd(9)}${lab.file}`;
  });
  return [...lines, '', 'Details and what to do next: pnpm lab check <number|slug>'].join('\n');
}

/** Runs the command; returns the exit code. */
export async function runLab(
  args: readonly string[],
  config: SandboxConfig,
  print = console.log,
): Promise<number> {
  const { values, positionals } = readCommandLine(
    USAGE,
    { options: { bundle: { type: 'string' } }, positionals: 2 },
    args,
  );
  const [command, name] = positionals;
  if (command !== undefined && command !== 'check') {
    console.error(`unknown command '${command}'\n${USAGE}`);
    return 2;
  }
  let bundle: ClientBundle | undefined;
  try {
    bundle = values.bundle === undefined ? undefined : readClientBundle(values.bundle);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const sources = labSources(config, bundle);
  try {
    if (command === 'check') {
      const lab = name === undefined ? undefined : labByName(name);
      if (!lab) {
        console.error(
          `${name === undefined ? 'name a lab' : `there is no lab '${name}'`}: one of ${LABS.map((l) => `${l.id} ${l.slug}`).join(', ')}`,
        );
        return 2;
      }
      const evidence = await lab.check(sources);
      print(formatCheck(lab, evidence));
      return evidence.every((piece) => piece.found) ? 0 : 1;
    }
    const results = [];
    for (const lab of LABS) results.push({ lab, evidence: await lab.check(sources) });
    print(formatList(results));
    return results.every(({ evidence }) => evidence.every((piece) => piece.found)) ? 0 : 1;
  } finally {
    await sources.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runLab(process.argv.slice(2), sandboxConfig());
}
