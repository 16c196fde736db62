// XML helpers shared by the ISO 20022 writers and readers. Writers build text with every value
// escaped here; readers parse with fast-xml-parser configured to keep every value a string, so an
// amount like "1234.50" is never turned into a binary float on the way in.
import { XMLParser } from 'fast-xml-parser';
import { AppError } from '../../errors.ts';

// XML 1.0 forbids most control characters outright (escaping does not help), so they are dropped.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text or attribute content, escaped; characters XML cannot carry are removed. */
function escapeXml(value: string): string {
  return value.replace(FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Cuts text to an ISO MaxNText length, counted in characters (not UTF-16 units), after escaping-safe trimming. */
export function maxText(value: string, max: number): string {
  const chars = [...value.replace(FORBIDDEN, '').trim()];
  return chars.length <= max ? chars.join('') : chars.slice(0, max).join('');
}

/** One element: <name>escaped text</name>. */
export function el(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** ISODateTime with an explicit offset (UTC "Z"), to the second: what banks' schemas accept. */
export function isoDateTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

/** ISODate of an instant in China Standard Time (UTC+8, no DST), the banks' business day. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Repeating elements always come back as arrays, whether one or many are present.
  isArray: (name) => ['CdtTrfTxInf', 'PmtInf', 'OrgnlPmtInfAndSts', 'TxInfAndSts', 'StsRsnInf', 'Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls', 'AddtlInf'].includes(name),
});

export type XmlNode = Record<string, unknown>;

/** Parses a bank file; malformed XML is REPORT_MALFORMED naming the file. */
export function parseXml(content: string, source: string): XmlNode {
  try {
    // fast-xml-parser accepts some broken input silently; the document element check below and the
    // readers' required-field checks catch what it lets through.
    return parser.parse(content, true) as XmlNode;
  } catch (error) {
    throw new AppError('REPORT_MALFORMED', `${source} is not well-formed XML: ${(error as Error).message}. It changed nothing; ask the bank to send it again.`, { source });
  }
}

/**
 * The namespace URI of the Document element, e.g. urn:iso:std:iso:20022:tech:xsd:pain.002.001.10.
 * Read from the text, because the parser drops namespace declarations (so that prefixed documents,
 * <ns2:Document xmlns:ns2="…">, read like unprefixed ones).
 */
export function documentNamespace(content: string): string | undefined {
  const match = /<(?:([A-Za-z_][\w.-]*):)?Document\b([^>]*)>/.exec(content);
  if (!match) return undefined;
  const prefix = match[1];
  const attr = new RegExp(`\\sxmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']+)["']`).exec(match[2] ?? '');
  return attr?.[1];
}

/** Child navigation that tolerates absence: path('A', 'B') of a node. */
export function child(node: unknown, ...names: string[]): unknown {
  let current: unknown = node;
  for (const name of names) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as XmlNode)[name];
  }
  return current;
}

/** Text of a leaf element (a string, or the #text of an element with attributes). */
export function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (node !== null && typeof node === 'object' && typeof (node as XmlNode)['#text'] === 'string') return (node as XmlNode)['#text'] as string;
  return undefined;
}

export function list(node: unknown): unknown[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

/** A required leaf's text, or REPORT_MALFORMED naming the element. */
export function required(node: unknown, source: string, ...names: string[]): string {
  const value = text(child(node, ...names));
  if (value === undefined || value === '') {
    throw new AppError('REPORT_MALFORMED', `${source}: required element ${names.join('/')} is missing or empty. The file changed nothing; ask the bank to send a corrected report.`, { source, element: names.join('/') });
  }
  return value;
}
