import type { Page } from '@playwright/test';

/** How Moneywise shows any party's error: the OAuth error code and its explanation. */
export function errorNotice(page: Page) {
  const notice = page.getByTestId('error-notice');
  return {
    notice,
    code: notice.getByTestId('error-code'),
    description: notice.getByTestId('error-description'),
  };
}
