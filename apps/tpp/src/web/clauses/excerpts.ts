// A clause string's excerpts: each reference it makes, with the bundled text of its section (and of the
// numbered items it cites) and the address of the section in the public specification.
import { type ClauseRef, parseClause } from './clause-refs.js';
import { CLAUSE_TEXTS, type SectionText, type SpecText } from './clause-texts.js';

export interface ClauseExcerpt {
  ref: ClauseRef;
  /** "RFC 9449 §4.3 check 9", "FAPI 2.0 SP §5.3.2.2-9": how the reference reads. */
  label: string;
  spec: SpecText;
  /** The section's text; undefined when the clause names the document only, or a section by name. */
  section?: SectionText;
  /** The cited items of the section's list, with their text. */
  items: { number: number; text: string }[];
  url: string;
}

function labelOf(ref: ClauseRef, spec: SpecText): string {
  const name = spec.name.replace(/:.*$/, '');
  if (ref.named) return `${name} §${ref.named}`;
  if (!ref.section) return name;
  const sign = ref.section.startsWith('Art.') ? '' : '§';
  const items = ref.items.length > 0 ? ` item ${ref.items.join(', ')}` : '';
  return `${name} ${sign}${ref.section}${items}`;
}

/** The excerpt of one reference, or undefined when the bundle has no text for it. */
export function excerptOf(ref: ClauseRef): ClauseExcerpt | undefined {
  const spec = CLAUSE_TEXTS[ref.spec];
  if (!spec) return undefined;
  const section = ref.section ? spec.sections[ref.section] : undefined;
  if (ref.section && !section) return undefined;
  const items = ref.items.map((number) => ({ number, text: section?.items?.[number] }));
  if (items.some((item) => item.text === undefined)) return undefined;
  return {
    ref,
    label: labelOf(ref, spec),
    spec,
    section,
    items: items as { number: number; text: string }[],
    url: ref.section && spec.anchor ? `${spec.url}${spec.anchor(ref.section)}` : spec.url,
  };
}

/** Every excerpt of a clause string, in the order it cites them; references without text are left out. */
export function excerptsOf(clause: string): ClauseExcerpt[] {
  return parseClause(clause).flatMap((ref) => excerptOf(ref) ?? []);
}
