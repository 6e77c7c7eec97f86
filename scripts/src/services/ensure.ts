// Makes sure PostgreSQL and Redis are installed before the suites that run the hosted setup on them
// (issue "Hosted for a room": the integration suites run on the embedded default and again on
// PostgreSQL + Redis). The laptop default needs neither; `pnpm test` and CI call this.
import { postgresBinDir, redisServerPath } from '@fapi-sandbox/fapi-core/service-binaries';
import { canInstallDebianPackages, installDebianPackages } from './debian-packages.js';

function missingPackages(): string[] {
  const missing: string[] = [];
  if (!postgresBinDir()) missing.push('postgresql');
  if (!redisServerPath()) missing.push('redis-server');
  return missing;
}

const missing = missingPackages();
if (missing.length > 0 && canInstallDebianPackages()) {
  console.log(`Installing the servers the hosted setup runs on: apt-get install ${missing.join(' ')}`);
  installDebianPackages(missing);
}
const stillMissing = missingPackages();
if (stillMissing.length > 0) {
  console.error(
    [
      `The hosted-setup suites need ${stillMissing.join(' and ')}, and this process cannot install them.`,
      `  Debian/Ubuntu: sudo apt-get install ${stillMissing.join(' ')}`,
      '  Elsewhere: install PostgreSQL (set FAPI_POSTGRES_BIN to its bin folder) and Redis (FAPI_REDIS_SERVER).',
    ].join('\n'),
  );
  process.exit(1);
}
