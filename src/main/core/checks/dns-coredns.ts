import type { Evidence, FindingDetail, FindingStatus, Fix } from '../../../shared/api/checks-types';
import type { FactSet, Workload } from '../facts/types';
import { cidrContains, formatIp, nthAddress, parseCidr, parseIp, type Cidr } from './lib/cidr';
import { parseImage } from './lib/cilium';
import { finding, known, nameList, unknownFinding, whyUnknown, worst } from './lib/finding';
import type { Check } from './types';

const REF =
  'kubernetes/kubernetes cmd/kubeadm/app/constants/constants.go GetDNSIP (the 10th address of the service CIDR); https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/';

/** The cluster DNS Deployment: coredns (kubeadm, kind, EKS, k3s) or kube-dns (GKE). */
export function findClusterDns(ws: readonly Workload[]): Workload | null {
  const deps = ws.filter((w) => w.kind === 'Deployment');
  return (
    deps.find((w) => w.name === 'coredns') ??
    deps.find((w) => w.images.some((i) => parseImage(i).name === 'coredns')) ??
    deps.find((w) => w.name === 'kube-dns') ??
    null
  );
}

export const dnsCoredns: Check = {
  id: 'dns.coredns',
  title: 'Cluster DNS is up and reachable at its Service',
  category: 'dns',
  needs: ['k8s.workloads', 'dns.service', 'dns.endpoints', 'kubeadm.networking', 'k8s.service.kubernetes'],
  reference: REF,
  evaluate(facts: FactSet) {
    const ws = known(facts, 'k8s.workloads');
    const svcF = facts['dns.service'];
    if (!ws && svcF?.state !== 'known') return unknownFinding(this, facts, ['k8s.workloads', 'dns.service'], 'neither the DNS Deployment nor its Service is known');
    const statuses: FindingStatus[] = [];
    const lines: string[] = [];
    const evidence: Evidence[] = [];
    const details: FindingDetail[] = [];
    let fix: Fix | null = null;

    // The Deployment
    const dep = ws ? findClusterDns(ws.value) : null;
    if (!ws) {
      statuses.push('unknown');
      lines.push(whyUnknown('k8s.workloads', facts['k8s.workloads']));
    } else if (!dep) {
      statuses.push('fail');
      lines.push('no CoreDNS (or kube-dns) Deployment in the workloads');
      fix = { text: 'Install CoreDNS (kubeadm: `kubeadm init phase addon coredns`).', commands: [['kubectl', '-n', 'kube-system', 'get', 'deployments']] };
    } else {
      evidence.push({ label: 'DNS Deployment', value: `${dep.namespace}/${dep.name}: ${dep.ready}/${dep.desired} ready, ${dep.available} available (${dep.images.join(', ')})`, source: `Deployment ${dep.namespace}/${dep.name}` });
      if (dep.desired === 0) {
        statuses.push('fail');
        lines.push(`${dep.name} is scaled to 0`);
      } else if (dep.ready === 0) {
        statuses.push('fail');
        lines.push(`${dep.name} has no ready pod (0/${dep.desired})`);
      } else if (dep.ready < dep.desired) {
        statuses.push('warn');
        lines.push(`${dep.name} ${dep.ready}/${dep.desired} ready`);
      }
      if (dep.ready < dep.desired || dep.desired === 0)
        fix = {
          text: dep.ready === 0 && dep.desired > 0 ? 'CoreDNS pods stay unready when the pod network is not up (no CNI, NetworkReady=false) or they cannot reach the API server; look at the pods and their events.' : 'Scale the DNS Deployment up and look at the pods that are not ready.',
          commands: [['kubectl', '-n', dep.namespace, 'get', 'pods', '-l', 'k8s-app=kube-dns', '-o', 'wide'], ['kubectl', '-n', dep.namespace, 'describe', 'deployment', dep.name]],
        };
    }

    // The Service and its address
    let dnsIP: string | null = null;
    if (svcF?.state === 'known') {
      const svc = svcF.value;
      dnsIP = svc.clusterIP && svc.clusterIP !== 'None' ? svc.clusterIP : null;
      evidence.push({ label: 'DNS Service', value: `${svc.namespace}/${svc.name} ${svc.clusterIP} ports ${svc.ports.map((p) => `${p.port}/${p.protocol}`).join(', ')}`, source: svcF.source });
      if (!dnsIP) {
        statuses.push('fail');
        lines.push(`Service ${svc.name} has no cluster IP (headless): pods' resolv.conf points at a fixed IP`);
      }
      const has = (proto: string) => svc.ports.some((p) => p.port === 53 && p.protocol.toUpperCase() === proto);
      if (!has('UDP')) {
        statuses.push('fail');
        lines.push('the DNS Service has no 53/UDP port');
      }
      if (!has('TCP')) {
        statuses.push('warn');
        lines.push('the DNS Service has no 53/TCP port (truncated answers retry over TCP)');
      }
    } else if (svcF?.state === 'unknown' && svcF.reason === 'not-found') {
      statuses.push('fail');
      lines.push(`no kube-dns Service (${svcF.detail})`);
      fix ??= { text: 'Create the kube-dns Service in kube-system selecting k8s-app=kube-dns on 53/UDP, 53/TCP and 9153/TCP, with the clusterIP your kubelets use (clusterDNS).' };
    } else {
      statuses.push('unknown');
      lines.push(whyUnknown('dns.service', svcF));
    }

    // Consistent with the service CIDR?
    if (dnsIP) {
      const ip = parseIp(dnsIP);
      const kubeadm = known(facts, 'kubeadm.networking');
      const subnets = (kubeadm?.value.serviceSubnet ?? '').split(',').map((t) => parseCidr(t)).filter((c): c is Cidr => c !== null);
      const kubeSvc = known(facts, 'k8s.service.kubernetes');
      let expected: string | null = null;
      let expectedWhy = '';
      const sameFamily = subnets.find((c) => ip && c.family === ip.family);
      if (sameFamily) {
        const tenth = nthAddress(sameFamily, 10);
        expected = tenth ? formatIp(tenth) : null;
        expectedWhy = `10th address of serviceSubnet ${sameFamily.text} (kubeadm-config)`;
        if (ip && !cidrContains(sameFamily, ip)) {
          statuses.push('fail');
          lines.push(`${dnsIP} is outside the service CIDR ${sameFamily.text}`);
        }
      } else if (kubeSvc) {
        // The API server takes the 1st address for Service default/kubernetes; kubeadm gives DNS the 10th.
        const k = parseIp(kubeSvc.value.clusterIP);
        if (k && ip && k.family === ip.family) {
          expected = formatIp({ family: k.family, value: k.value + 9n });
          expectedWhy = `kubernetes Service ${kubeSvc.value.clusterIP} is the 1st address; kubeadm gives DNS the 10th`;
        }
      }
      if (expected) {
        evidence.push({ label: 'Expected DNS IP', value: `${expected} (${expectedWhy})`, source: sameFamily ? (kubeadm?.source ?? 'kubeadm-config') : (kubeSvc?.source ?? 'Service default/kubernetes') });
        if (expected !== dnsIP) {
          statuses.push('warn');
          lines.push(`kube-dns is ${dnsIP}, not ${expected} (${expectedWhy}): make sure every kubelet's clusterDNS says ${dnsIP}`);
          fix ??= { text: `Pods get the kubelet's clusterDNS as nameserver; it must equal the kube-dns Service IP (${dnsIP}).`, commands: [['kubectl', 'get', '--raw', '/api/v1/nodes/<node>/proxy/configz']] };
        }
      }
    }

    // Endpoints
    const epF = facts['dns.endpoints'];
    if (epF?.state === 'known') {
      const ep = epF.value;
      evidence.push({ label: 'DNS endpoints', value: `${ep.ready.length} ready (${nameList(ep.ready, 4) || 'none'}), ${ep.notReady.length} not ready, ${ep.slices} EndpointSlice(s)`, source: epF.source });
      if (ep.ready.length === 0) {
        statuses.push('fail');
        lines.push('the DNS Service has no ready endpoint: every lookup times out');
        fix ??= { text: 'The Service selects no ready pod: check the pods behind k8s-app=kube-dns and the Service selector.', commands: [['kubectl', '-n', 'kube-system', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=kube-dns', '-o', 'wide']] };
      } else if (ep.notReady.length > 0) {
        statuses.push('warn');
        lines.push(`${ep.notReady.length} DNS endpoint(s) not ready`);
        details.push({ subject: 'kube-dns endpoints', status: 'warn', summary: `not ready: ${nameList(ep.notReady, 10)}` });
      }
    } else {
      statuses.push('unknown');
      lines.push(whyUnknown('dns.endpoints', epF));
    }

    const status = worst(statuses, 'pass');
    const summary =
      status === 'pass'
        ? `${dep ? `${dep.name} ${dep.ready}/${dep.desired} ready` : 'DNS'}, Service ${dnsIP ?? '?'} on 53/UDP+TCP with ${epF?.state === 'known' ? epF.value.ready.length : '?'} ready endpoint(s)`
        : lines.join('; ');
    return finding(this, status, summary, { evidence, fix: status === 'pass' ? null : fix, details });
  },
};
