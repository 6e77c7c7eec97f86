// @vitest-environment happy-dom
// The choices of the connect, decoupled and pay pages: each input is named by its title and described by
// what it does and its clause, the selected one is marked, and a click hands its value back.
import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { type Choice, ChoiceGroup, OptionChoice } from '../../src/web/components/ChoiceGroup.js';

const MODES: readonly Choice<'poll' | 'ping'>[] = [
  { value: 'poll', title: 'Poll', summary: 'Moneywise asks the token endpoint.', clause: 'CIBA §7.3' },
  { value: 'ping', title: 'Ping', summary: 'The bank calls Moneywise back.', clause: 'CIBA §10.2' },
];

function Modes() {
  const [mode, setMode] = useState<'poll' | 'ping'>('poll');
  const [encrypt, setEncrypt] = useState(false);
  return (
    <form>
      <ChoiceGroup
        legend="How the tokens reach Moneywise"
        name="mode"
        choices={MODES}
        value={mode}
        onChange={setMode}
        inputTestIdPrefix="mode"
      />
      <OptionChoice
        checked={encrypt}
        onChange={setEncrypt}
        testId="encrypt"
        title="Encrypt"
        clause="RFC 9101 §6.1"
      >
        Only the bank can read it.
      </OptionChoice>
      <output data-testid="chosen">{`${mode} ${encrypt}`}</output>
    </form>
  );
}

describe('ChoiceGroup', () => {
  it('names each radio by its title and describes it by its summary and clause', () => {
    render(<Modes />);
    const group = screen.getByRole('group', { name: 'How the tokens reach Moneywise' });
    expect(group).toBeTruthy();
    const ping = screen.getByRole('radio', { name: 'Ping' });
    expect(ping.getAttribute('aria-describedby')).toBeTruthy();
    const description = document.getElementById(ping.getAttribute('aria-describedby')!);
    expect(description?.textContent).toBe('The bank calls Moneywise back. CIBA §10.2');
    expect(screen.getByRole('checkbox', { name: 'Encrypt' })).toBeTruthy();
  });

  it('marks the selected choice and hands back the value clicked, anywhere on the choice', async () => {
    render(<Modes />);
    expect((screen.getByTestId('mode-poll') as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByText('The bank calls Moneywise back.'));
    expect(screen.getByTestId('chosen').textContent).toBe('ping false');
    expect(screen.getByTestId('mode-ping').closest('label')?.className).toContain('choice-selected');
    expect(screen.getByTestId('mode-poll').closest('label')?.className).not.toContain('choice-selected');
    await userEvent.click(screen.getByText('Only the bank can read it.'));
    expect(screen.getByTestId('chosen').textContent).toBe('ping true');
  });
});
