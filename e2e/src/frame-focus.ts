// What a step's frame must show when it lies below the fold: a frame is taken where the page happens to be
// scrolled, and an attack's result or a token's binding appear under the part the step clicked. Used by the
// demo's gallery and the workshop's screenshots alike, so a frame matches its caption.
import type { Page } from '@playwright/test';

const FOCUS: readonly { step: RegExp; selector: string; block?: ScrollLogicalPosition }[] = [
  // attack-lab.spec.ts: "Select “…” and run the attack …" shows the attack's result.
  { step: /and run the attack /, selector: '[data-testid="attack-result"]' },
  {
    step: /^Every attack run is listed under/,
    selector: '[data-testid="timeline-phase"][data-phase="attacks"]',
    // A long list: its heading at the top of the frame.
    block: 'start',
  },
  // connect-and-read-accounts.spec.ts: the token's cnf beside the key or certificate presented.
  { step: /^The flow inspector shows every message/, selector: '[data-testid="timeline-binding"]' },
  // directory-suspends-moneywise.spec.ts: the Participant check that failed, under the checks that passed.
  {
    step: /^The flow inspector shows the bank's API refused the token/,
    selector: '[data-testid="timeline-checks"] li:has-text("Participant: the software is active")',
  },
  // directory-revokes-certificate.spec.ts: the certificate just revoked is the one still marked in use.
  { step: /revokes Moneywise's transport certificate$/, selector: 'tr:has(.in-use)' },
];

/** Scrolls the step's subject, if it has one on the page, to the middle of the viewport (or its top). */
export async function focusFrame(page: Page, stepCaption: string): Promise<void> {
  const focus = FOCUS.find(({ step }) => step.test(stepCaption));
  if (!focus) return;
  const subject = page.locator(focus.selector).last();
  if ((await subject.count()) === 0) return;
  await subject
    .evaluate((element, block) => element.scrollIntoView({ block }), focus.block ?? 'center')
    .catch(() => undefined);
}
