import type { LabError } from '../../../shared/errors';

/** A typed error as the user sees it: what happened, and what to do. */
export function ErrorNote({ error, onDismiss }: { error: LabError; onDismiss?: () => void }) {
  return (
    <div className="error-note" role="alert">
      <strong>{error.message}</strong>
      {error.fix && <p className="fix">{error.fix}</p>}
      <span className="code">{error.code}</span>
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss error">
          Dismiss
        </button>
      )}
    </div>
  );
}
