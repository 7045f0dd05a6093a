import { create } from 'zustand';
import type { AppInfo } from '../../../shared/api';
import { lab, onConnectionState, connectionState } from '../lab';
import type { ConnectionState } from '../transports/ws';

export const PAGES = [
  { id: 'clusters', title: 'Clusters' },
  { id: 'quick-start', title: 'Quick start' },
  { id: 'checks', title: 'Checks' },
  { id: 'policies', title: 'Policies' },
  { id: 'walkthroughs', title: 'Walkthroughs' },
  { id: 'reports', title: 'Reports' },
  { id: 'settings', title: 'Settings' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

const pageFromHash = (): PageId => {
  const id = location.hash.replace(/^#\/?/, '');
  return (PAGES.find((p) => p.id === id)?.id ?? 'clusters') as PageId;
};

export interface AppState {
  page: PageId;
  info: AppInfo | null;
  connection: ConnectionState;
  init(): () => void;
  go(page: PageId): void;
}

export const useAppStore = create<AppState>((set) => ({
  page: pageFromHash(),
  info: null,
  connection: connectionState(),
  init() {
    const onHash = () => set({ page: pageFromHash() });
    window.addEventListener('hashchange', onHash);
    const off = onConnectionState((connection) => {
      set({ connection });
      if (connection === 'open') lab().call('app.info', {}).then((info) => set({ info }), () => {});
    });
    lab().call('app.info', {}).then((info) => set({ info, connection: 'open' }), () => {});
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  },
  go(page) {
    location.hash = `#/${page}`;
    set({ page });
  },
}));
