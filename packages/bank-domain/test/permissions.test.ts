import { describe, expect, it } from 'vitest';
import { ACCOUNT_ACCESS_PERMISSIONS, InvalidPermissions, validatePermissions } from '../src/index.js';

describe('account-access permissions (UK OB v3.1)', () => {
  it('accepts a typical AISP request', () => {
    const requested = [
      'ReadAccountsDetail',
      'ReadBalances',
      'ReadTransactionsDetail',
      'ReadTransactionsCredits',
      'ReadTransactionsDebits',
    ];
    expect(validatePermissions(requested)).toEqual(requested);
  });

  it('knows the whole v3.1 code list', () => {
    expect(ACCOUNT_ACCESS_PERMISSIONS).toContain('ReadAccountsBasic');
    expect(ACCOUNT_ACCESS_PERMISSIONS).toContain('ReadPAN');
    expect(ACCOUNT_ACCESS_PERMISSIONS).toHaveLength(21);
    expect(validatePermissions([...ACCOUNT_ACCESS_PERMISSIONS])).toHaveLength(21);
  });

  it.each([
    [[], /at least one/],
    [['ReadAccountsBasic', 'ReadEverything'], /Unknown permission codes: ReadEverything/],
    [['ReadBalances', 'ReadBalances'], /Duplicate/],
    [['ReadTransactionsBasic'], /also need ReadTransactionsCredits/],
    [['ReadTransactionsDebits'], /also need ReadTransactionsBasic/],
  ])('refuses %j', (requested, message) => {
    expect(() => validatePermissions(requested)).toThrow(InvalidPermissions);
    expect(() => validatePermissions(requested)).toThrow(message);
  });
});
