// The stored text of a policy document (policies/<id>/<id>.text.md): the passages as read, one section
// per source (`## 来源: main` for the document's own sourceUrl, `## 来源: <key>` for document.sources).
// Quotes in a point must be found in their section, so a quote cannot drift from what the text says.

export interface DocumentText {
  /** The whole file, as stored (its sha256 identifies the version read). */
  text: string;
  /** Section text by source key. */
  sections: ReadonlyMap<string, string>;
}

const SECTION = /^##\s*来源\s*[:：]\s*([A-Za-z0-9_-]+)\s*$/;

export function parseDocumentText(text: string): DocumentText {
  const sections = new Map<string, string>();
  let current: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (current !== null) sections.set(current, (sections.get(current) ?? '') + lines.join('\n'));
  };
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const m = SECTION.exec(line);
    if (m) {
      flush();
      current = m[1] as string;
      lines = [];
    } else lines.push(line);
  }
  flush();
  return { text, sections };
}

/** Whitespace removed and NFKC-folded (full-width punctuation and digits compare equal to half-width). */
function normaliseForQuote(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, '');
}

/** Fragments of a quote joined by …… (or ...): each must occur, in order. */
function quoteFragments(quote: string): string[] {
  return quote
    .split(/…+|\.{3,}/u)
    .map(normaliseForQuote)
    .filter((f) => f.length > 0);
}

/** The first fragment of the quote not found (in order) in the section, or null when all are found. */
export function missingFragment(section: string, quote: string): string | null {
  const hay = normaliseForQuote(section);
  let from = 0;
  for (const fragment of quoteFragments(quote)) {
    const at = hay.indexOf(fragment, from);
    if (at < 0) return fragment;
    from = at + fragment.length;
  }
  return null;
}
