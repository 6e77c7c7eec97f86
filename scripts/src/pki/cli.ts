// `pnpm pki`: a thin shell over the generator, the freshness check and the explanation.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type SandboxConfig, sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { ensurePki } from './ensure.js';
import { explainText } from './explain.js';
import type { GenerationResult } from './generate.js';
import { pkiLayout } from './layout.js';
import { PkiManifestError, readPkiManifest } from './manifest.js';

const usage = `Usage: pnpm pki [--keep-root | --ensure | --explain]

  (no option)   Generate the whole sandbox PKI into certs/, with a new root CA.
  --keep-root   Generate everything again, but keep the current root CA if it is sound.
  --ensure      Generate only when certs/ is missing, incomplete, or a certificate expires within
                30 days (keeping the root CA); otherwise print one line and stop.
  --explain     Print what each file in certs/ is, who uses it and why.
`;

function certsLabel(config: SandboxConfig): string {
  const relative = path.relative(config.repoRoot, config.certsDir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative)
    ? `${relative}/`
    : config.certsDir;
}

async function explain(config: SandboxConfig): Promise<void> {
  try {
    const manifest = await readPkiManifest(config);
    process.stdout.write(explainText(manifest, certsLabel(config)));
  } catch (error) {
    if (!(error instanceof PkiManifestError)) throw error;
    const files = pkiLayout(config).map((planned) => ({ ...planned, path: planned.relativePath }));
    process.stdout.write(explainText({ files }, certsLabel(config)));
  }
}

function rootOutcome(result: GenerationResult): string {
  if (result.reissued === 'servers')
    return "server certificates issued again; same root CA, Directory CA and participants' keys";
  if (result.root.reused) return 'same root CA';
  return result.root.reason ? `new root CA because ${result.root.reason}` : 'new root CA';
}

async function generate(config: SandboxConfig, keepRoot: boolean): Promise<void> {
  const { generatePki } = await import('./generate.js');
  const result = await generatePki(config, { reuseRoot: keepRoot });
  console.log(
    `Generated the sandbox PKI in ${certsLabel(config)} in ${result.durationMs} ms (${result.manifest.files.length} files, ${rootOutcome(result)}). ` +
      'What each file is for: pnpm pki --explain',
  );
}

async function ensure(config: SandboxConfig): Promise<void> {
  const outcome = await ensurePki(config);
  if (outcome.action === 'kept') {
    const { path: first, notAfter } = outcome.status.firstExpiry;
    if (outcome.added?.length) console.log(`Added ${outcome.added.join(', ')} to the sandbox PKI.`);
    console.log(
      `The sandbox PKI in ${certsLabel(config)} is complete; first expiry ${notAfter.toISOString().slice(0, 10)} (${first}). Nothing to do.`,
    );
    return;
  }
  const [reason, ...more] = outcome.reasons;
  const { result } = outcome;
  console.log(
    `Regenerated the sandbox PKI in ${certsLabel(config)} in ${result.durationMs} ms because ${reason}` +
      `${more.length > 0 ? ` (and ${more.length} more)` : ''}; ${rootOutcome(result)}.`,
  );
}

async function main(): Promise<void> {
  let values: { ensure?: boolean; explain?: boolean; 'keep-root'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        ensure: { type: 'boolean' },
        explain: { type: 'boolean' },
        'keep-root': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const modes = [values.ensure, values.explain, values['keep-root']].filter(Boolean).length;
  if (values.help || modes > 1) {
    (values.help ? process.stdout : process.stderr).write(usage);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const config = sandboxConfig();
  if (values.explain) await explain(config);
  else if (values.ensure) await ensure(config);
  else await generate(config, values['keep-root'] ?? false);
}

main().catch((error: unknown) => {
  console.error(`pnpm pki failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
