// Attacks the directory makes possible to stop: a participant it no longer vouches for is refused at the
// bank's next call, whatever tokens or registrations it still holds.
import { setTimeout as sleep } from 'node:timers/promises';
import { ALL_PROFILES, defineAttack, sameRefusal } from './attack.js';

/** How long bank-op and bank-api keep the directory's answer on a participant (their status caches). */
const STATUS_CACHE_MS = 1100;

export const softwareSuspended = defineAttack({
  id: 'software-suspended',
  title: 'A TPP whose software the directory suspended asks for a token',
  message: 'directory',
  refusals: sameRefusal(ALL_PROFILES, {
    party: 'bank-op',
    status: 401,
    error: 'invalid_client',
    clause: 'OB Directory participant status',
  }),
  threat: 'a TPP struck off by the ecosystem keeps getting tokens with its old registration',
  fix: 'the directory must reactivate the software statement (its admin page) before the TPP can connect again',
  rules: ['bank-op:participant-status'],
  async run(ctx) {
    const { orgId, softwareId } = ctx.participant;
    const path = `/organisations/${orgId}/software-statements/${softwareId}`;
    ctx.onCleanup(async () => {
      await ctx.directoryAdmin('PATCH', path, { status: 'active' });
      await sleep(STATUS_CACHE_MS);
    });
    const status = await ctx.directoryAdmin('PATCH', path, { status: 'suspended' });
    if (status !== 200) throw new Error(`the directory answered ${status} to the suspension`);
    ctx.attackNow('directory: software statement suspended');
    await sleep(STATUS_CACHE_MS);
    return ctx.client.clientCredentialsToken('accounts');
  },
});
