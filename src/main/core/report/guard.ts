import { LabError } from '../../../shared/errors';
import { findSecrets } from '../redact/redact';

/**
 * The last check before a report leaves the lab: the rendered bytes are scanned for PEM
 * blocks, base64 PEM, JSON Web Tokens, Authorization headers, cloud and forge tokens and
 * passwords in URLs. Redaction runs on every input string before rendering, so a hit here
 * is a redaction bug: the report is refused rather than written.
 */
export function assertReportSafe(content: string, what = 'the report'): void {
  const hits = findSecrets(content);
  if (hits.length === 0) return;
  const list = [...new Set(hits.map((h) => h.what))].join(', ');
  throw new LabError(
    'INTERNAL',
    `refusing to produce ${what}: it would contain ${list} (first at character ${hits[0]!.index}) that redaction did not remove`,
    'This is a bug in Datapath Lab redaction. Report it with the check ids involved, but do not attach the target data.',
  );
}
