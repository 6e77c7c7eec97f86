// Installs Debian packages the sandbox needs from the distribution (apt-get), when this process may:
// on Debian or Ubuntu, as root. Everywhere else it says which package to install by hand.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export function canInstallDebianPackages(): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return process.platform === 'linux' && isRoot && fs.existsSync('/usr/bin/apt-get');
}

/** apt-get install of the packages, after one index refresh; throws if apt-get fails. */
export function installDebianPackages(packages: readonly string[]): void {
  const run = (args: string[]) =>
    execFileSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  run(['update', '-qq']);
  run(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}
