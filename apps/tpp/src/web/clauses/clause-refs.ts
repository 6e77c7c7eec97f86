// A clause string as the parties write it ("RFC 9449 §4.3 check 3, §4.2", "FAPI 1.0 Part 1 §6.2.1-2/-3")
// read as references: which specification, which section, which numbered items of it. The inspector's
// clause chips look each reference up in the bundled excerpts (clause-texts.ts).

/** The specifications the parties cite, by the names they cite them with (longest names first). */
export const SPEC_NAMES: readonly { id: string; pattern: RegExp }[] = [
  { id: 'fapi2-http-sig', pattern: /FAPI 2\.0 HTTP Signatures/y },
  { id: 'fapi2-ms', pattern: /FAPI 2\.0 Message Signing/y },
  { id: 'fapi2-sp', pattern: /FAPI 2\.0 (?:SP|Security Profile)/y },
  { id: 'fapi1-adv', pattern: /FAPI 1\.0 (?:Advanced|Adv|Part 2)/y },
  { id: 'fapi1-base', pattern: /FAPI 1\.0 Part 1/y },
  { id: 'jarm', pattern: /JARM/y },
  { id: 'fapi-ciba', pattern: /FAPI-CIBA/y },
  { id: 'ciba', pattern: /CIBA(?: Core)?/y },
  { id: 'oidc-core', pattern: /OIDC Core/y },
  { id: 'oidc-discovery', pattern: /OIDC Discovery/y },
  { id: 'oidc-registration', pattern: /OIDC Registration/y },
  { id: 'ob-dcr', pattern: /(?:UK )?OB DCR v3\.3/y },
  { id: 'ob-directory', pattern: /(?:UK )?OB Directory/y },
  { id: 'ob-security', pattern: /(?:UK )?OB Security Profile/y },
  {
    id: 'ob-read-write',
    pattern:
      /(?:UK )?OB (?:(?:R\/W|Read\/Write) API(?: v3\.1)?|v3\.1(?: (?:Account and Transaction|Payment Initiation) API)?|(?:Account and Transaction|Payment Initiation) API v3\.1|Filtering|OBErrorResponse1)/y,
  },
  { id: 'psd2-rts', pattern: /PSD2 RTS/y },
  { id: 'fetch-metadata', pattern: /W3C Fetch Metadata/y },
  { id: 'rfc', pattern: /RFC ?\d{3,5}/y },
];

export interface ClauseRef {
  /** Spec id: 'fapi2-sp', 'jarm', … or 'rfc9449'. */
  spec: string;
  /** Numbered section ("4.3", "5.3.2.2", "Art. 5"); undefined when the clause names the spec only, or a section by name. */
  section?: string;
  /** Numbered items of the section's list ("-9", "check 9", "-2/-3"). */
  items: number[];
  /** A section named in words (UK Open Banking documents: "§Consent", "§Participants"). */
  named?: string;
}

function specAt(text: string, at: number): { id: string; end: number } | undefined {
  for (const { id, pattern } of SPEC_NAMES) {
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (found) return { id: id === 'rfc' ? `rfc${found[0].replace(/\D/g, '')}` : id, end: pattern.lastIndex };
  }
  return undefined;
}

const NUMBERED = /§\s*(\d+(?:\.\d+)*)((?:\s*[-/]\s*-?\d+(?:\.\d+)?)*)/y;
const NAMED = /§\s*([A-Za-z{/][^,;()]*)/y;
const ARTICLE = /Art\.\s*(\d+)/y;
const CHECK = /checks? (\d+)/y;

function at(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

/** Every reference in a clause string, in order; "§4.2" after "RFC 9449 §4.3" is RFC 9449's. */
export function parseClause(clause: string): ClauseRef[] {
  const refs: ClauseRef[] = [];
  let spec: string | undefined;
  let last: ClauseRef | undefined;
  let named = false;
  const push = (ref: ClauseRef) => {
    refs.push(ref);
    last = ref;
    named = true;
  };
  let i = 0;
  while (i < clause.length) {
    const found = specAt(clause, i);
    if (found && (i === 0 || /[\s(,;/]/.test(clause[i - 1]!))) {
      // The previous spec named no section: the reference is to the spec itself.
      if (spec && !named) refs.push({ spec, items: [] });
      spec = found.id;
      named = false;
      last = undefined;
      i = found.end;
      continue;
    }
    if (spec) {
      const numbered = at(NUMBERED, clause, i);
      if (numbered) {
        // "5.0" is section 5; items follow a dash ("-9", "-2/-3", "-13/17"), sub-items ("-1.2") count as their item.
        const section = numbered[1]!.replace(/\.0$/, '');
        const items = [...numbered[2]!.matchAll(/(\d+)(?:\.\d+)?/g)].map((m) => Number(m[1]));
        push({ spec, section, items });
        i = NUMBERED.lastIndex;
        continue;
      }
      const article = at(ARTICLE, clause, i);
      if (article) {
        push({ spec, section: `Art. ${article[1]}`, items: [] });
        i = ARTICLE.lastIndex;
        continue;
      }
      const check = at(CHECK, clause, i);
      if (check && last) {
        last.items.push(Number(check[1]));
        i = CHECK.lastIndex;
        continue;
      }
      const byName = at(NAMED, clause, i);
      if (byName) {
        push({ spec, items: [], named: byName[1]!.trim() });
        i = NAMED.lastIndex;
        continue;
      }
    }
    i += 1;
  }
  if (spec && !named) refs.push({ spec, items: [] });
  return refs;
}
