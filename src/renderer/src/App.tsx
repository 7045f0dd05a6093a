import { useEffect } from 'react';
import { AppFrame } from './components/AppFrame';
import { ClustersPage } from './pages/ClustersPage';
import { SettingsPage } from './pages/SettingsPage';
import { ChecksPage } from './pages/ChecksPage';
import { PoliciesPage } from './pages/PoliciesPage';
import { QuickStartPage } from './pages/QuickStartPage';
import { ReportsPage } from './pages/ReportsPage';
import { WalkthroughsPage } from './pages/WalkthroughsPage';
import { useWalkthroughStore } from './stores/walkthrough';
import { useChecksStore } from './stores/checks';
import { useAppStore } from './stores/app';
import { useTerminalStore } from './stores/terminal';
import { useTargetsStore } from './stores/targets';

function Page() {
  const page = useAppStore((s) => s.page);
  switch (page) {
    case 'clusters':
      return <ClustersPage />;
    case 'quick-start':
      return <QuickStartPage />;
    case 'checks':
      return <ChecksPage />;
    case 'policies':
      return <PoliciesPage />;
    case 'walkthroughs':
      return <WalkthroughsPage />;
    case 'reports':
      return <ReportsPage />;
    case 'settings':
      return <SettingsPage />;
  }
}

export function App() {
  useEffect(() => {
    const offs = [useAppStore.getState().init(), useTerminalStore.getState().init(), useTargetsStore.getState().init(), useChecksStore.getState().init(), useWalkthroughStore.getState().init()];
    return () => offs.forEach((off) => off());
  }, []);
  return (
    <AppFrame>
      <Page />
    </AppFrame>
  );
}
