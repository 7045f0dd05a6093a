import type { ReactNode } from 'react';
import type { Fact } from '../../../shared/facts';

/** Shows a fact's value with where it came from, or why it is unknown. */
export function FactView<T>({ fact, render }: { fact: Fact<T>; render: (v: T) => ReactNode }) {
  if (fact.state === 'unknown') {
    return (
      <span className="fact unknown" title={fact.source}>
        unknown ({fact.reason}): {fact.detail}
      </span>
    );
  }
  return (
    <span className="fact">
      {render(fact.value)} <span className="source">from {fact.source}</span>
    </span>
  );
}
