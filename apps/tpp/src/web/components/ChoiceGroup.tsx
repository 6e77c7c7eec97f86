// The way Moneywise's pages ask a learner to choose (a security profile, a client authentication, how
// tokens arrive, how the bank asks for approval, an option): each choice shows its title, what it does
// and the clause it rests on. The title names the input and the rest describes it, so a screen reader
// says the short name first and the explanation after.
import { type InputHTMLAttributes, type ReactNode, useId } from 'react';

export interface Choice<Value extends string> {
  value: Value;
  title: string;
  summary: ReactNode;
  clause?: string;
  /** More under the summary (the connect page lists a profile's rules). */
  detail?: ReactNode;
}

/** One radio group: a fieldset with its legend, a choice per value, and `children` after them. */
export function ChoiceGroup<Value extends string>(props: {
  legend: string;
  name: string;
  choices: readonly Choice<Value>[];
  value: Value;
  onChange: (value: Value) => void;
  compact?: boolean;
  /** The group's test id. */
  testId?: string;
  /** Each input's test id is `<inputTestIdPrefix>-<value>`. */
  inputTestIdPrefix: string;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <fieldset className={props.compact ? 'choices choices-compact' : 'choices'} data-testid={props.testId}>
      <legend>{props.legend}</legend>
      {props.choices.map((choice) => (
        <ChoiceLabel
          key={choice.value}
          id={`${id}-${choice.value}`}
          choice={choice}
          selected={props.value === choice.value}
          input={{
            type: 'radio',
            name: props.name,
            value: choice.value,
            checked: props.value === choice.value,
            onChange: () => props.onChange(choice.value),
            'data-testid': `${props.inputTestIdPrefix}-${choice.value}`,
          }}
        />
      ))}
      {props.children}
    </fieldset>
  );
}

/** One checkbox shown as a choice (an option the learner turns on or off), inside a fieldset of choices. */
export function OptionChoice(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId: string;
  title: string;
  clause: string;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <ChoiceLabel
      id={id}
      choice={{ value: 'on', title: props.title, summary: props.children, clause: props.clause }}
      selected={props.checked}
      input={{
        type: 'checkbox',
        checked: props.checked,
        onChange: (event) => props.onChange(event.target.checked),
        'data-testid': props.testId,
      }}
    />
  );
}

/**
 * The whole choice is the input's label (a larger target), the selected one marked; the title names the
 * input and the summary describes it.
 */
function ChoiceLabel(props: {
  id: string;
  choice: Choice<string>;
  selected: boolean;
  input: InputHTMLAttributes<HTMLInputElement> & { 'data-testid': string };
}) {
  const { choice } = props;
  return (
    <label className={`choice ${props.selected ? 'choice-selected' : ''}`}>
      <input
        {...props.input}
        aria-labelledby={`${props.id}-title`}
        aria-describedby={`${props.id}-summary`}
      />
      <span className="choice-body">
        <span className="choice-title" id={`${props.id}-title`}>
          {choice.title}
        </span>
        <span className="choice-summary" id={`${props.id}-summary`}>
          {choice.summary}
          {choice.clause ? (
            <>
              {' '}
              <span className="clause">{choice.clause}</span>
            </>
          ) : null}
        </span>
        {choice.detail}
      </span>
    </label>
  );
}
