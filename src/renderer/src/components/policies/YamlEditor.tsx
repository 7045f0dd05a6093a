import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';

export interface LineIssue {
  line: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/**
 * CodeMirror 6 with YAML highlighting. The text goes up through onChange; the
 * analyzer's issues for this document come back down as diagnostics.
 */
export function YamlEditor({ docKey, value, onChange, issues, label }: { docKey: string; value: string; onChange: (v: string) => void; issues: LineIssue[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // A new editor per document; later prop changes of `value` come from this editor itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [docKey]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const diagnostics: Diagnostic[] = issues
      .filter((i) => i.line >= 1 && i.line <= doc.lines)
      .map((i) => {
        const line = doc.line(i.line);
        return { from: line.from, to: Math.max(line.from, line.to), severity: i.severity === 'info' ? 'info' : i.severity, message: i.message };
      });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [issues]);

  return <div className="yaml-editor" ref={host} />;
}
