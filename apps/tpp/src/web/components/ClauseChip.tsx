// A clause chip: the clause a rule comes from ("RFC 9449 §4.3 check 9"), as a button that opens the
// clause's text from the bundled excerpts, in a modal dialog (Escape or the Close button closes it and
// focus returns to the chip), with a link to the public specification.
import { useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { excerptsOf } from '../clauses/excerpts.js';

function ClauseDialog({ clause, onClose }: { clause: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const excerpts = excerptsOf(clause);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (typeof element.showModal === 'function' && !element.open) element.showModal();
    else element.setAttribute('open', '');
    // Focus starts on Close, not on the first link: Enter then closes instead of leaving the page.
    close.current?.focus();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="clause-dialog"
      aria-labelledby={titleId}
      data-testid="clause-dialog"
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <h2 id={titleId}>{clause}</h2>
      {excerpts.length === 0 ? <p>The sandbox has no excerpt of this clause.</p> : null}
      {excerpts.map((excerpt) => (
        <section key={excerpt.label} className="clause-excerpt" aria-label={excerpt.label}>
          <h3>
            {excerpt.label}
            {excerpt.section ? <span className="muted"> · {excerpt.section.title}</span> : null}
          </h3>
          <p className="muted">{excerpt.spec.name}</p>
          <blockquote cite={excerpt.url}>
            <p>{excerpt.section ? excerpt.section.text : excerpt.spec.summary}</p>
            {excerpt.items.length > 0 ? (
              <ol>
                {excerpt.items.map((item) => (
                  <li key={item.number} value={item.number}>
                    {item.text}
                  </li>
                ))}
              </ol>
            ) : null}
          </blockquote>
          <p>
            <a href={excerpt.url} target="_blank" rel="noopener noreferrer">
              Read it in the specification
              <span className="sr-only"> ({excerpt.label}, opens in a new tab)</span>
            </a>
          </p>
        </section>
      ))}
      <button ref={close} type="button" className="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

export function ClauseChip({ clause }: { clause: string }) {
  const [open, setOpen] = useState(false);
  const chip = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  // Focus returns to the chip once the dialog is gone: while a modal dialog is open the chip is inert.
  useEffect(() => {
    if (open) wasOpen.current = true;
    else if (wasOpen.current) chip.current?.focus();
  }, [open]);
  const close = () => setOpen(false);
  return (
    <>
      <button
        ref={chip}
        type="button"
        className="clause"
        aria-haspopup="dialog"
        aria-expanded={open}
        title="Read the clause"
        data-testid="clause-chip"
        onClick={() => setOpen(true)}
      >
        {clause}
      </button>
      {/* In the document's body: a chip sits inside paragraphs, where a dialog's headings may not. */}
      {open ? createPortal(<ClauseDialog clause={clause} onClose={close} />, document.body) : null}
    </>
  );
}
