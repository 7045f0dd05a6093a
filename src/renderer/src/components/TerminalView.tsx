import { useEffect, useRef } from 'react';
import { liveTerminal } from '../stores/terminal';

/** Mounts a session's xterm into the page and keeps it sized to its box. */
export function TerminalView({ sessionId, visible }: { sessionId: string; visible: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const l = liveTerminal(sessionId);
    const el = box.current;
    if (!l || !el) return;
    if (!l.term.element) l.term.open(el);
    else if (l.term.element.parentElement !== el) el.appendChild(l.term.element);
    const fit = () => {
      if (el.offsetWidth > 0 && el.offsetHeight > 0) {
        try {
          l.fit.fit();
        } catch {
          /* not laid out yet */
        }
      }
    };
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    fit();
    return () => ro.disconnect();
  }, [sessionId]);
  useEffect(() => {
    if (visible) liveTerminal(sessionId)?.fit.fit();
  }, [visible, sessionId]);
  return <div className="xterm-box" ref={box} hidden={!visible} data-session={sessionId} />;
}
