import { WalkthroughView } from '../components/walkthrough/WalkthroughView';

export function QuickStartPage() {
  return (
    <div className="page">
      <h1>Quick start</h1>
      <WalkthroughView id="quick-start" />
    </div>
  );
}
