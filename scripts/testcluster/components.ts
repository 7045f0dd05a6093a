// How each control-plane component is started (argv) and when it counts as up.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { pkiPaths } from './certs';
import { binaries } from './paths';
import type { ClusterState, ComponentName } from './state';

export interface ClusterLayout {
  dir: string;
  pki: string;
  conf: string;
  logs: string;
  etcdData: string;
  kubeconfig: string;
  kwokConfig: string;
}

export function layout(dir: string): ClusterLayout {
  return {
    dir,
    pki: join(dir, 'pki'),
    conf: join(dir, 'conf'),
    logs: join(dir, 'logs'),
    etcdData: join(dir, 'etcd-data'),
    kubeconfig: join(dir, 'kubeconfig'),
    kwokConfig: join(dir, 'conf', 'kwok.yaml'),
  };
}

/** The component kubeconfigs (each with its own client certificate). */
export function componentKubeconfig(l: ClusterLayout, c: 'kube-controller-manager' | 'kube-scheduler' | 'kwok'): string {
  return join(l.conf, `${c}.kubeconfig`);
}

export interface ComponentCommand {
  bin: string;
  args: string[];
  log: string;
}

/** Extra flags a profile adds per component (e.g. higher client QPS for the large profile). */
export type ExtraFlags = Partial<Record<ComponentName, string[]>>;

export function componentCommand(c: ComponentName, s: ClusterState, l: ClusterLayout, extra: ExtraFlags = {}): ComponentCommand {
  const b = binaries();
  const p = pkiPaths(l.pki);
  const { ports, network } = s;
  mkdirSync(l.logs, { recursive: true });
  const log = join(l.logs, `${c}.log`);
  const more = extra[c] ?? [];
  switch (c) {
    case 'etcd': {
      const peer = `http://127.0.0.1:${ports.etcdPeer}`;
      const client = `http://127.0.0.1:${ports.etcdClient}`;
      return {
        bin: b.etcd,
        log,
        args: [
          '--name=default',
          `--data-dir=${l.etcdData}`,
          `--listen-client-urls=${client}`,
          `--advertise-client-urls=${client}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=default=${peer}`,
          '--initial-cluster-state=new',
          // Test data: speed over durability.
          '--unsafe-no-fsync',
          '--quota-backend-bytes=8589934592',
          '--log-level=warn',
          ...more,
        ],
      };
    }
    case 'kube-apiserver':
      return {
        bin: b.kubeApiserver,
        log,
        args: [
          `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${ports.apiserver}`,
          `--cert-dir=${join(l.dir, 'apiserver-certs')}`,
          `--tls-cert-file=${p.apiserver.cert}`,
          `--tls-private-key-file=${p.apiserver.key}`,
          `--client-ca-file=${p.ca.cert}`,
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${p.saPub}`,
          `--service-account-signing-key-file=${p.saKey}`,
          `--service-cluster-ip-range=${network.serviceCIDR}`,
          '--authorization-mode=Node,RBAC',
          '--enable-admission-plugins=NodeRestriction',
          '--allow-privileged=true',
          // No kubelet or real endpoint to advertise; the profiles write default/kubernetes themselves.
          '--endpoint-reconciler-type=none',
          '--profiling=false',
          // Close open watches on SIGTERM instead of waiting for them: stop takes a second, not a minute.
          '--shutdown-watch-termination-grace-period=2s',
          ...more,
        ],
      };
    case 'kube-controller-manager': {
      const kc = componentKubeconfig(l, c);
      return {
        bin: b.kubeControllerManager,
        log,
        args: [
          `--kubeconfig=${kc}`,
          `--authentication-kubeconfig=${kc}`,
          `--authorization-kubeconfig=${kc}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${ports.controllerManager}`,
          '--leader-elect=false',
          // As kubeadm: each controller acts as its own service account in kube-system.
          '--use-service-account-credentials=true',
          '--controllers=*,bootstrapsigner,tokencleaner',
          `--cluster-name=${s.context}`,
          '--allocate-node-cidrs=true',
          `--cluster-cidr=${network.clusterCIDR}`,
          `--node-cidr-mask-size=${network.nodeCIDRMaskSize}`,
          `--service-cluster-ip-range=${network.serviceCIDR}`,
          `--root-ca-file=${p.ca.cert}`,
          `--service-account-private-key-file=${p.saKey}`,
          `--cluster-signing-cert-file=${p.ca.cert}`,
          `--cluster-signing-key-file=${p.ca.key}`,
          ...more,
        ],
      };
    }
    case 'kube-scheduler': {
      const kc = componentKubeconfig(l, c);
      return {
        bin: b.kubeScheduler,
        log,
        args: [
          `--kubeconfig=${kc}`,
          `--authentication-kubeconfig=${kc}`,
          `--authorization-kubeconfig=${kc}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${ports.scheduler}`,
          '--leader-elect=false',
          ...more,
        ],
      };
    }
    case 'kwok':
      return {
        bin: b.kwok,
        log,
        args: [
          `--kubeconfig=${componentKubeconfig(l, 'kwok')}`,
          `--config=${l.kwokConfig}`,
          '--manage-all-nodes=true',
          `--server-address=127.0.0.1:${ports.kwok}`,
          ...more,
        ],
      };
  }
}

function probe(url: string, o: { cert?: string; key?: string; ca?: string; insecure?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const u = new URL(url);
    const handler = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      u.protocol === 'https:'
        ? httpsRequest(u, { method: 'GET', timeout: 3000, cert: o.cert, key: o.key, ca: o.ca, rejectUnauthorized: !o.insecure, agent: false }, handler)
        : httpRequest(u, { method: 'GET', timeout: 3000, agent: false }, handler);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** One health probe of a component; resolves true when it answers healthy. */
export async function componentHealthy(c: ComponentName, s: ClusterState, l: ClusterLayout): Promise<boolean> {
  const p = pkiPaths(l.pki);
  try {
    switch (c) {
      case 'etcd': {
        const r = await probe(`http://127.0.0.1:${s.ports.etcdClient}/health`);
        return r.status === 200 && r.body.includes('"health":"true"');
      }
      case 'kube-apiserver': {
        if (!existsSync(p.admin.cert)) return false;
        const r = await probe(`https://127.0.0.1:${s.ports.apiserver}/readyz`, {
          cert: readFileSync(p.admin.cert, 'utf8'),
          key: readFileSync(p.admin.key, 'utf8'),
          ca: readFileSync(p.ca.cert, 'utf8'),
        });
        return r.status === 200;
      }
      case 'kube-controller-manager':
        return (await probe(`https://127.0.0.1:${s.ports.controllerManager}/healthz`, { insecure: true })).status === 200;
      case 'kube-scheduler':
        return (await probe(`https://127.0.0.1:${s.ports.scheduler}/healthz`, { insecure: true })).status === 200;
      case 'kwok':
        return (await probe(`http://127.0.0.1:${s.ports.kwok}/healthz`)).status === 200;
    }
  } catch {
    return false;
  }
}
