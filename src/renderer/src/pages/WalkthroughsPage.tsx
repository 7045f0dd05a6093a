import { Recommender } from '../components/recommend/Recommender';

export function WalkthroughsPage() {
  return (
    <div className="page">
      <h1>Walkthroughs</h1>
      <p className="lede">Diagnose the classic failures step by step — live or on a snapshot — and decide which setup to start from.</p>
      <Recommender />
    </div>
  );
}
