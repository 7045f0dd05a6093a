import type { Finding } from '../../../../shared/api';
import { TOOL_NAMES } from '../../../../shared/api';
import { useTerminalStore } from '../../stores/terminal';
import { EvidenceTable } from '../EvidenceTable';

const LABEL: Record<string, string> = { pass: 'pass', warn: 'warn', fail: 'fail', unknown: 'unknown', 'not-applicable': 'n/a' };

function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A reference: its https URLs as links (opened outside the app), the rest as text. */
function Reference({ text }: { text: string }) {
  const parts = text.split(/(https:\/\/[^\s)]+)/);
  return (
    <p className="reference">
      Reference:{' '}
      {parts.map((p, i) =>
        /^https:\/\//.test(p) ? (
          <a key={i} href={p} target="_blank" rel="noreferrer noopener">
            {p}
          </a>
        ) : (
          <span key={i}>{p}</span>
        ),
      )}
    </p>
  );
}

const copy = (text: string) => void navigator.clipboard?.writeText(text).catch(() => {});

/** One finding: verdict, evidence with sources, details per item, the fix (copy or run), the reference. */
export function FindingCard({ finding: f, targetId, canRun }: { finding: Finding; targetId: string; canRun: boolean }) {
  const run = useTerminalStore((s) => s.run);
  const headingId = `finding-${f.checkId}`;
  return (
    <article className={`finding ${f.status}`} aria-labelledby={headingId}>
      <header>
        <span className={`status ${f.status}`}>{LABEL[f.status]}</span>
        <h3 id={headingId}>{f.title}</h3>
        <code className="check-id">{f.checkId}</code>
      </header>
      <p className="summary">{f.summary}</p>
      {f.evidence.length > 0 && (
        <details open={f.status === 'fail'}>
          <summary>Evidence ({f.evidence.length})</summary>
          <EvidenceTable evidence={f.evidence} label={`Evidence for ${f.checkId}`} />
        </details>
      )}
      {f.details && f.details.length > 0 && (
        <details open={f.status === 'fail' || f.status === 'warn'}>
          <summary>Details ({f.details.length})</summary>
          <ul className="details">
            {f.details.map((d, i) => (
              <li key={`${d.subject}-${i}`} className={d.status}>
                <strong>{d.subject}</strong>: {d.status} — {d.summary}
              </li>
            ))}
          </ul>
        </details>
      )}
      {f.fix && (
        <div className="fix" aria-label={`Fix for ${f.checkId}`}>
          <p>
            <strong>Fix:</strong> {f.fix.text}
          </p>
          {f.fix.commands?.map((cmd, i) => {
            const line = shellLine(cmd);
            const runnable = canRun && (TOOL_NAMES as readonly string[]).includes(cmd[0] ?? '');
            return (
              <div className="command" key={i}>
                <code>$ {line}</code>
                <button type="button" onClick={() => copy(line)}>Copy</button>
                {runnable && (
                  <button type="button" className="primary" onClick={() => void run({ tool: cmd[0] as never, args: cmd.slice(1), targetId, title: line.slice(0, 80) })}>
                    Run fix
                  </button>
                )}
              </div>
            );
          })}
          {f.fix.yaml && (
            <div className="yaml">
              <pre>{f.fix.yaml}</pre>
              <button type="button" onClick={() => copy(f.fix!.yaml!)}>Copy YAML</button>
            </div>
          )}
        </div>
      )}
      <Reference text={f.reference} />
    </article>
  );
}
