import { beforeEach, describe, expect, it } from 'vitest';
import { createLabClient } from '../../../src/shared/client';
import { setLabClient } from '../../../src/renderer/src/lab';
import { liveTerminal, useTerminalStore } from '../../../src/renderer/src/stores/terminal';
import { useTargetsStore } from '../../../src/renderer/src/stores/targets';
import { fakeTransport } from '../../helpers/fake-transport';
import type { SessionInfo, TargetList } from '../../../src/shared/api';

const info = (over: Partial<SessionInfo> = {}): SessionInfo => ({
  sessionId: 's1', title: 'uname -a', tool: 'uname', argv: ['uname', '-a'], targetId: null, state: 'running', exitCode: null, signal: null,
  startedAt: new Date().toISOString(), endedAt: null, bytes: 0, reason: null, ...over,
});

describe('terminal store', () => {
  let fake: ReturnType<typeof fakeTransport>;
  beforeEach(() => {
    fake = fakeTransport((m) => (m === 'terminal.run' ? info() : {}));
    setLabClient(createLabClient(fake.transport));
    useTerminalStore.setState({ order: [], infos: {}, active: null, lastError: null });
  });

  it('opens a tab for a session started anywhere, writes its bytes and acks what xterm wrote', async () => {
    const off = useTerminalStore.getState().init();
    fake.emit('terminal.started', info());
    expect(useTerminalStore.getState().order).toEqual(['s1']);
    expect(useTerminalStore.getState().active).toBe('s1');
    const bytes = new TextEncoder().encode('hello\n');
    fake.emit('terminal.data', { sessionId: 's1', data: bytes, offset: bytes.length });
    fake.emit('terminal.exit', info({ state: 'exited', exitCode: 0, bytes: 6 }));
    // xterm parses asynchronously; the exit line forces the final ack.
    await expect.poll(() => fake.calls.filter((c) => c.method === 'terminal.ack').length).toBeGreaterThan(0);
    expect(fake.calls.find((c) => c.method === 'terminal.ack')!.params).toEqual({ sessionId: 's1', offset: 6 });
    expect(liveTerminal('s1')!.written).toBe(6);
    expect(useTerminalStore.getState().infos.s1!.state).toBe('exited');
    off();
  });

  it('keeps at most 20 tabs, dropping the oldest finished ones', () => {
    const off = useTerminalStore.getState().init();
    for (let i = 0; i < 25; i++) fake.emit('terminal.exit', info({ sessionId: `x${i}`, state: 'exited', exitCode: 0 }));
    expect(useTerminalStore.getState().order).toHaveLength(20);
    expect(useTerminalStore.getState().order[0]).toBe('x5');
    expect(liveTerminal('x0')).toBeUndefined();
    off();
  });

  it('shows a typed error when a run is refused', async () => {
    const refusing = fakeTransport(() => {
      throw new Error('helm was not found');
    });
    setLabClient(createLabClient(refusing.transport));
    expect(await useTerminalStore.getState().run({ tool: 'helm', args: ['version'] })).toBeNull();
    expect(useTerminalStore.getState().lastError?.message).toBe('helm was not found');
  });
});

describe('targets store', () => {
  const list: TargetList = {
    targets: [
      { id: 'host', kind: 'host', name: 'vm', context: null, server: null, clusterName: null, namespace: null, userName: null, authKind: null, execCommand: null, execCommandFound: null, authProvider: null, file: null, isCurrentContext: false, kindCluster: null, problems: [] },
      { id: 'context:kind-lab', kind: 'kind', name: 'kind-lab', context: 'kind-lab', server: 'https://127.0.0.1:1', clusterName: 'kind-lab', namespace: null, userName: 'kind-lab', authKind: 'client-certificate', execCommand: null, execCommandFound: null, authProvider: null, file: '/k', isCurrentContext: true, kindCluster: 'lab', problems: [] },
    ],
    files: [{ path: '/k', state: 'loaded' }],
    notes: [],
    kindWithoutContext: [],
  };

  it('restores the remembered target when it still exists, else keeps the host', async () => {
    let selected: string | null = 'context:kind-lab';
    const fake = fakeTransport((m) => (m === 'targets.list' ? list : m === 'settings.get' ? { toolPaths: {}, selectedTargetId: selected } : {}));
    setLabClient(createLabClient(fake.transport));
    useTargetsStore.setState({ selectedId: 'host', list: null });
    await useTargetsStore.getState().load();
    expect(useTargetsStore.getState().selectedId).toBe('context:kind-lab');
    selected = 'context:deleted-since';
    useTargetsStore.setState({ selectedId: 'host' });
    await useTargetsStore.getState().load();
    expect(useTargetsStore.getState().selectedId).toBe('host');
  });

  it('follows live kubeconfig changes', () => {
    const fake = fakeTransport();
    setLabClient(createLabClient(fake.transport));
    const off = useTargetsStore.getState().init();
    fake.emit('targets.changed', list);
    expect(useTargetsStore.getState().list?.targets.map((t) => t.name)).toEqual(['vm', 'kind-lab']);
    off();
  });
});
