import { randomBytes } from 'node:crypto';
import { LabError } from '../../../shared/errors';
import { unknown, type Fact } from '../../../shared/facts';
import type { FactSet } from '../facts/types';
import { writerFor, type KubeWriter } from '../gather/kube-write';
import type { KubeClient } from '../kube/client';
import { unknownFrom } from './cluster-api';
import { addNodeFacts, NODE_SCRIPT, nodeUnknown, parseNodeScript } from './kind-nodes';

/**
 * The opt-in node debug pod: host facts of a node of a remote cluster, read by a short-lived
 * pod pinned to that node. debugPodSpec returns the exact manifest so the UI can show it
 * and the user agrees before anything is created; runDebugPod creates it, waits for it to
 * finish, reads its log (the node script's sections), and always deletes it: on success,
 * error, timeout and cancel.
 *
 * What the pod may do, and why:
 * - `hostNetwork: true`: interfaces, addresses and routes are the node's network namespace;
 * - read-only hostPath mounts of /proc, /sys, /boot and /lib/modules under /host: kernel
 *   config (/proc/config.gz, /boot/config-R, /lib/modules/R/build/.config), BTF
 *   (/sys/kernel/btf/vmlinux, …) and the host's cgroup mounts (/host/proc/1/mounts);
 * - tolerates every taint (the node to read may be cordoned, a control plane, or tainted by a CNI that is down);
 * - not privileged, no capabilities, no service account token, read-only root filesystem,
 *   `restartPolicy: Never` and `activeDeadlineSeconds`, so a lost client leaves a pod that
 *   ends by itself.
 */

export const DEBUG_POD_LABELS = { 'app.kubernetes.io/name': 'datapath-lab-node-probe', 'app.kubernetes.io/managed-by': 'datapath-lab' } as const;
export const DEBUG_POD_CONTAINER = 'probe';
/** Mounted from the node, read-only, under /host. */
export const DEBUG_POD_HOST_PATHS = ['/proc', '/sys', '/boot', '/lib/modules'] as const;
const ROOT_NOTE = ' (the debug pod mounts only /proc, /sys, /boot and /lib/modules of the node)';

export interface DebugPodOptions {
  /** Pod name (default: datapath-lab-probe-<random>). */
  name?: string;
  /** Namespace (default "default", like `kubectl debug node/…`). */
  namespace?: string;
  /** activeDeadlineSeconds: the kubelet stops the pod after this long (default 120). */
  deadlineSeconds?: number;
}

export interface PodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A fresh pod name: datapath-lab-probe-<10 hex>. */
export const debugPodName = (): string => `datapath-lab-probe-${randomBytes(5).toString('hex')}`;

const volumeName = (p: string) => `host${p.replace(/\//g, '-')}`;

/** The exact Pod the debug probe creates on `node` (show it to the user before creating it). */
export function debugPodSpec(node: string, image: string, o: DebugPodOptions = {}): PodManifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name ?? debugPodName(),
      namespace: o.namespace ?? 'default',
      labels: { ...DEBUG_POD_LABELS },
      annotations: {
        'datapath-lab.io/node': node,
        'datapath-lab.io/purpose': 'Reads kernel and network facts of this node (read-only), prints them and exits; Datapath Lab deletes it afterwards.',
      },
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      restartPolicy: 'Never',
      activeDeadlineSeconds: o.deadlineSeconds ?? 120,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: DEBUG_POD_CONTAINER,
          image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', NODE_SCRIPT, 'sh', '/host'],
          securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '200m', memory: '64Mi' } },
          volumeMounts: DEBUG_POD_HOST_PATHS.map((p) => ({ name: volumeName(p), mountPath: `/host${p}`, readOnly: true })),
        },
      ],
      volumes: DEBUG_POD_HOST_PATHS.map((p) => ({ name: volumeName(p), hostPath: { path: p, type: 'Directory' } })),
    },
  };
}

interface PodStatus {
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: { state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string } } }[];
  };
}

/** Waiting reasons after which the pod will never run the script. */
const STUCK = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export interface RunDebugPodOptions extends DebugPodOptions {
  image: string;
  /** How long to wait for the pod to finish (default 90 s). */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Each phase the pod reaches (Pending, Running, Succeeded, Failed), and "deleted". */
  onState?: (state: string) => void;
  /** Test seam: the writer (default: one for the client's context). */
  writer?: KubeWriter;
}

export interface DebugPodResult {
  /** node.* facts of this node (unknown with the reason when the pod could not report). */
  facts: FactSet;
  pod: string;
  namespace: string;
  /** Phases seen, in order. */
  phases: string[];
  /** The script output, when the log was read. */
  log: string | null;
  /** Whether the pod is confirmed gone (DELETE, then a GET answering 404). */
  deleted: boolean;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

/**
 * Runs the debug pod on `node` and returns its node facts. Never throws for what happens to
 * the pod (forbidden, image pull, timeout: the facts say so); throws only a fatal LabError
 * (unreachable, credentials, cancelled) after the pod has been deleted.
 */
export async function runDebugPod(client: KubeClient, node: string, o: RunDebugPodOptions): Promise<DebugPodResult> {
  const manifest = debugPodSpec(node, o.image, o);
  const { name, namespace } = manifest.metadata;
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
  const writer = o.writer ?? writerFor(client);
  const source = `debug pod ${namespace}/${name} on ${node}`;
  const facts: FactSet = {};
  const phases: string[] = [];
  let log: string | null = null;
  const fail = (f: Fact<never>) => nodeUnknown(facts, node, f, source);
  let fatal: unknown = null;

  try {
    await writer.post(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, manifest, { what: `pod ${namespace}/${name}`, signal: o.signal });
  } catch (err) {
    if (err instanceof LabError && ['UNREACHABLE', 'TLS', 'UNAUTHORIZED', 'CANCELLED'].includes(err.code)) throw err;
    const u = unknownFrom(err);
    fail(unknown(u.reason, `cannot create the debug pod: ${u.detail}`, source) as Fact<never>);
    return { facts, pod: name, namespace, phases, log, deleted: true };
  }

  try {
    const deadline = Date.now() + (o.timeoutMs ?? 90_000);
    let last: PodStatus['status'] = {};
    for (;;) {
      if (o.signal?.aborted) throw new LabError('CANCELLED', 'the gather was cancelled');
      const pod = await client.get<PodStatus>(path, { what: `pod ${namespace}/${name}`, signal: o.signal, timeoutMs: 10_000 });
      last = pod.status ?? {};
      const phase = last.phase ?? 'Pending';
      if (phases[phases.length - 1] !== phase) {
        phases.push(phase);
        o.onState?.(phase);
      }
      const waiting = last.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && STUCK.has(waiting.reason)) {
        fail(unknown('error', `the debug pod cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`, source) as Fact<never>);
        break;
      }
      if (phase === 'Succeeded' || phase === 'Failed') {
        const r = await client.raw(`${path}/log?container=${DEBUG_POD_CONTAINER}`, { signal: o.signal, timeoutMs: 15_000 });
        if (r.status === 200 && r.body.includes('@@dl:release')) {
          log = r.body;
          addNodeFacts(facts, node, parseNodeScript(r.body, source, ROOT_NOTE), source);
        } else {
          const why = r.status === 200 ? 'its log has no output of the node script' : `its log could not be read (HTTP ${r.status})`;
          fail(unknown(r.status === 403 ? 'forbidden' : 'error', `the debug pod ended ${phase}${last.reason ? ` (${last.reason})` : ''} but ${why}`, source) as Fact<never>);
        }
        break;
      }
      if (Date.now() > deadline) {
        fail(unknown('timeout', `the debug pod did not finish within ${Math.round((o.timeoutMs ?? 90_000) / 1000)} s (phase ${phase}${last.reason ? `, ${last.reason}` : ''})`, source) as Fact<never>);
        break;
      }
      await sleep(o.pollMs ?? 1000, o.signal);
    }
  } catch (err) {
    if (err instanceof LabError && ['UNREACHABLE', 'TLS', 'UNAUTHORIZED', 'CANCELLED'].includes(err.code)) fatal = err;
    else {
      const u = unknownFrom(err);
      fail(unknown(u.reason, `while waiting for the debug pod: ${u.detail}`, source) as Fact<never>);
    }
  }

  // Always clean up, with a signal of its own: a cancelled gather must still delete the pod.
  let deleted = false;
  try {
    await writer.delete(`${path}?gracePeriodSeconds=0`, { what: `pod ${namespace}/${name}` });
    for (let i = 0; i < 40 && !deleted; i++) {
      const r = await client.raw(path, { timeoutMs: 5_000 });
      if (r.status === 404) deleted = true;
      else await sleep(250);
    }
    if (deleted) o.onState?.('deleted');
  } catch {
    deleted = false;
  }
  if (fatal) throw fatal;
  return { facts, pod: name, namespace, phases, log, deleted };
}
