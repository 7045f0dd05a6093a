import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors';
import type { KubeClient } from '../../../src/main/core/kube/client';
import type { KubeWriter } from '../../../src/main/core/gather/kube-write';
import { debugPodSpec, runDebugPod, DEBUG_POD_LABELS } from '../../../src/main/core/probes/debug-pod';
import { NODE_SCRIPT } from '../../../src/main/core/probes/kind-nodes';

const LOG = readFileSync(join(__dirname, '../../fixtures/probes/node-script-debugpod-busybox.txt'), 'utf8');

describe('debugPodSpec', () => {
  it('is the exact manifest: pinned, host network, read-only host mounts, all taints tolerated, ends by itself', () => {
    const m = debugPodSpec('ip-10-0-1-5.ec2.internal', 'busybox:1.37', { name: 'datapath-lab-probe-abc', namespace: 'lab' });
    expect(m).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'datapath-lab-probe-abc',
        namespace: 'lab',
        labels: { 'app.kubernetes.io/name': 'datapath-lab-node-probe', 'app.kubernetes.io/managed-by': 'datapath-lab' },
        annotations: { 'datapath-lab.io/node': 'ip-10-0-1-5.ec2.internal', 'datapath-lab.io/purpose': expect.stringContaining('read-only') },
      },
      spec: {
        nodeName: 'ip-10-0-1-5.ec2.internal',
        hostNetwork: true,
        dnsPolicy: 'ClusterFirstWithHostNet',
        restartPolicy: 'Never',
        activeDeadlineSeconds: 120,
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: 'probe',
            image: 'busybox:1.37',
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', NODE_SCRIPT, 'sh', '/host'],
            securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
            volumeMounts: [
              { name: 'host-proc', mountPath: '/host/proc', readOnly: true },
              { name: 'host-sys', mountPath: '/host/sys', readOnly: true },
              { name: 'host-boot', mountPath: '/host/boot', readOnly: true },
              { name: 'host-lib-modules', mountPath: '/host/lib/modules', readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } },
          { name: 'host-sys', hostPath: { path: '/sys', type: 'Directory' } },
          { name: 'host-boot', hostPath: { path: '/boot', type: 'Directory' } },
          { name: 'host-lib-modules', hostPath: { path: '/lib/modules', type: 'Directory' } },
        ],
      },
    });
    // Defaults: a fresh name per run, namespace default, no hostPID, no privilege.
    const d = debugPodSpec('n1', 'img');
    expect(d.metadata.name).toMatch(/^datapath-lab-probe-[0-9a-f]{10}$/);
    expect(debugPodSpec('n1', 'img').metadata.name).not.toBe(d.metadata.name);
    expect(d.metadata.namespace).toBe('default');
    expect(d.spec.hostPID).toBeUndefined();
    expect(d.metadata.labels).toEqual(DEBUG_POD_LABELS);
  });
});

/** A stub API: pod phases in order, a log, and a record of every call. */
function stub(o: { phases: string[]; log?: string; logStatus?: number; createError?: LabError; getError?: LabError; waiting?: { reason: string; message: string } }) {
  const calls: string[] = [];
  let i = 0;
  let exists = false;
  const client = {
    contextName: 'test',
    server: 'https://127.0.0.1:1',
    async get(path: string) {
      calls.push(`GET ${path}`);
      if (o.getError) throw o.getError;
      const phase = o.phases[Math.min(i++, o.phases.length - 1)];
      return { status: { phase, ...(o.waiting ? { containerStatuses: [{ state: { waiting: o.waiting } }] } : {}) } };
    },
    async raw(path: string) {
      calls.push(`RAW ${path}`);
      if (path.endsWith('/log?container=probe')) return { status: o.logStatus ?? 200, body: o.log ?? '' };
      return { status: exists ? 200 : 404, body: '' };
    },
  } as unknown as KubeClient;
  const writer: KubeWriter = {
    async post<T>(path: string, body: unknown) {
      calls.push(`POST ${path}`);
      if (o.createError) throw o.createError;
      exists = true;
      return body as T;
    },
    async delete(path: string) {
      calls.push(`DELETE ${path}`);
      exists = false;
    },
  };
  return { client, writer, calls };
}

describe('runDebugPod', () => {
  it('creates, waits, reads the log into node facts, deletes and confirms the pod is gone', async () => {
    const s = stub({ phases: ['Pending', 'Running', 'Succeeded'], log: LOG });
    const states: string[] = [];
    const r = await runDebugPod(s.client, 'lab-worker', { image: 'busybox', name: 'datapath-lab-probe-x', pollMs: 1, writer: s.writer, onState: (st) => states.push(st) });
    expect(states).toEqual(['Pending', 'Running', 'Succeeded', 'deleted']);
    expect(r.deleted).toBe(true);
    expect(r.facts['node.kernel.release']).toMatchObject({ state: 'known', value: { 'lab-worker': { state: 'known', value: '6.18.44-fc-v669' } } });
    expect(r.facts['node.kernel.config']).toMatchObject({ state: 'known', value: { 'lab-worker': { state: 'known', value: { path: '/proc/config.gz' } } } });
    expect(s.calls[0]).toBe('POST /api/v1/namespaces/default/pods');
    expect(s.calls).toContain('RAW /api/v1/namespaces/default/pods/datapath-lab-probe-x/log?container=probe');
    expect(s.calls).toContain('DELETE /api/v1/namespaces/default/pods/datapath-lab-probe-x?gracePeriodSeconds=0');
  });

  it('times out as an unknown fact, and still deletes the pod', async () => {
    const s = stub({ phases: ['Pending', 'Running'] });
    const r = await runDebugPod(s.client, 'n1', { image: 'busybox', name: 'p', pollMs: 5, timeoutMs: 30, writer: s.writer });
    expect(r.facts['node.cgroup']).toMatchObject({ state: 'known', value: { n1: { state: 'unknown', reason: 'timeout' } } });
    expect(r.phases).toEqual(['Pending', 'Running']);
    expect(s.calls.filter((c) => c.startsWith('DELETE'))).toHaveLength(1);
    expect(r.deleted).toBe(true);
  });

  it('stops at an image pull failure with the kubelet’s words', async () => {
    const s = stub({ phases: ['Pending'], waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"' } });
    const r = await runDebugPod(s.client, 'n1', { image: 'nope:1', name: 'p', pollMs: 1, writer: s.writer });
    const f = r.facts['node.kernel.release'];
    expect(f?.state === 'known' && f.value.n1).toMatchObject({ state: 'unknown', reason: 'error', detail: 'the debug pod cannot start: ImagePullBackOff: Back-off pulling image "nope:1"' });
    expect(s.calls.some((c) => c.startsWith('DELETE'))).toBe(true);
  });

  it('a forbidden create is an unknown fact naming the permission; nothing to delete', async () => {
    const s = stub({ phases: [], createError: new LabError('FORBIDDEN', 'context test: forbidden: alice cannot create pods in namespace default', 'Ask a cluster admin for a Role or ClusterRole that allows "create" on "pods" for alice, or use a context with more rights.') });
    const r = await runDebugPod(s.client, 'n1', { image: 'busybox', name: 'p', writer: s.writer });
    const f = r.facts['node.interfaces'];
    expect(f?.state === 'known' && f.value.n1).toMatchObject({ state: 'unknown', reason: 'forbidden' });
    expect(f?.state === 'known' && f.value.n1?.state === 'unknown' && f.value.n1.detail).toContain('alice cannot create pods in namespace default');
    expect(s.calls.some((c) => c.startsWith('DELETE'))).toBe(false);
  });

  it('cancel throws CANCELLED after deleting the pod', async () => {
    const s = stub({ phases: ['Running'] });
    const ctl = new AbortController();
    const p = runDebugPod(s.client, 'n1', { image: 'busybox', name: 'p', pollMs: 20, writer: s.writer, signal: ctl.signal, onState: () => ctl.abort() });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(s.calls.some((c) => c.startsWith('DELETE'))).toBe(true);
  });

  it('an unreachable server during the wait is fatal, after the delete was tried', async () => {
    const s = stub({ phases: [], getError: new LabError('UNREACHABLE', 'context test: https://127.0.0.1:1 refused the connection') });
    await expect(runDebugPod(s.client, 'n1', { image: 'busybox', name: 'p', writer: s.writer })).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(s.calls.some((c) => c.startsWith('DELETE'))).toBe(true);
  });
});
