import type { FindingStatus } from '../../../shared/api/checks-types';
import type { StatusCounts } from '../../../shared/api/report';
import { CHECK_CATEGORIES } from '../../../shared/api/checks-types';

/** Wording shared by the Markdown and HTML reports. */

export const STATUS_WORD: Record<FindingStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN', 'not-applicable': 'N/A' };
export const STATUS_SYMBOL: Record<FindingStatus, string> = { pass: '✔', warn: '▲', fail: '✖', unknown: '?', 'not-applicable': '–' };
export const STATUS_LABEL: Record<FindingStatus, string> = { pass: 'passed', warn: 'warnings', fail: 'failed', unknown: 'unknown', 'not-applicable': 'not applicable' };
export const STATUSES: readonly FindingStatus[] = ['fail', 'warn', 'unknown', 'pass', 'not-applicable'];

export const CATEGORY_TITLE: Record<string, string> = {
  kernel: 'Kernel',
  network: 'Network',
  ipam: 'IP address management',
  services: 'Services and kube-proxy',
  dns: 'DNS',
  cni: 'CNI',
};
export const categoryTitle = (c: string): string => CATEGORY_TITLE[c] ?? c;
export const categoryOrder = (cats: Iterable<string>): string[] => {
  const all = [...new Set(cats)];
  const known = (CHECK_CATEGORIES as readonly string[]).filter((c) => all.includes(c));
  return [...known, ...all.filter((c) => !known.includes(c)).sort()];
};

export function countsLine(c: StatusCounts): string {
  return `${c.fail} failed, ${c.warn} warnings, ${c.unknown} unknown, ${c.pass} passed, ${c['not-applicable']} not applicable`;
}

export const duration = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Splits text into plain and http(s) URL parts, so renderers can link URLs and escape the rest. */
export function splitUrls(text: string): { text: string; url: boolean }[] {
  const out: { text: string; url: boolean }[] = [];
  const re = /https?:\/\/[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    let url = m[0];
    // trailing punctuation belongs to the sentence
    while (/[.,;:!?')]$/.test(url)) url = url.slice(0, -1);
    const start = m.index;
    if (start > last) out.push({ text: text.slice(last, start), url: false });
    out.push({ text: url, url: true });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last), url: false });
  return out;
}

/** A file-name-safe slug. */
export const slug = (s: string, max = 60): string =>
  s
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, max) || 'target';

/** An HTML id from a prefix and a name. */
export const anchor = (prefix: string, s: string): string => `${prefix}-${s.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
