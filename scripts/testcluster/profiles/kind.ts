// Building blocks of a kind cluster (kind v0.30 node image, kubeadm 1.34) as API objects:
// nodes as the kubelet registers them, the kubeadm ConfigMaps, control-plane mirror pods,
// CoreDNS, kube-proxy, kindnet and the local-path provisioner. Written from what
// `kubectl get -o yaml` shows on a kind cluster; images and versions are kind's and kubeadm's.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KubeObject } from '../kube';
import type { SeedContext } from '../seed';
import type { NodeLike } from '../seed';
import { waitServiceAccount } from '../seed';
import type { ClusterNetwork } from '../state';

export const KIND_NETWORK: ClusterNetwork = { serviceCIDR: '10.96.0.0/16', clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 };

export const IMAGES = {
  coredns: 'registry.k8s.io/coredns/coredns:v1.12.1', // kubeadm 1.34's CoreDNSVersion
  kindnetd: 'docker.io/kindest/kindnetd:v20250512-df8de77b', // kind v0.30.0
  localPathProvisioner: 'docker.io/kindest/local-path-provisioner:v20250214-acbabc1a',
  localPathHelper: 'docker.io/kindest/local-path-helper:v20241212-8ac705d0',
};

/** What `kubectl get node -o jsonpath='{.status.nodeInfo}'` shows on a kind v0.30 node on an Ubuntu 24.04 host. */
export interface NodeInfo {
  architecture: string;
  containerRuntimeVersion: string;
  kernelVersion: string;
  kubeletVersion: string;
  operatingSystem: string;
  osImage: string;
}

export function kindNodeInfo(kubernetesVersion: string): NodeInfo {
  return {
    architecture: 'amd64',
    containerRuntimeVersion: 'containerd://2.1.4', // kind v0.30.0 base image
    kernelVersion: '6.8.0-85-generic', // kind nodes share the host kernel
    kubeletVersion: kubernetesVersion,
    operatingSystem: 'linux',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
  };
}

export interface KindNodeSpec {
  name: string;
  role: 'control-plane' | 'worker';
  /** InternalIP on the kind docker network (172.18.0.0/16) */
  ip: string;
}

/** kind names its nodes <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, … and numbers them on 172.18.0.0/16. */
export function kindNodeSpecs(cluster: string, workers: number): KindNodeSpec[] {
  const out: KindNodeSpec[] = [{ name: `${cluster}-control-plane`, role: 'control-plane', ip: nthAddress('172.18.0.0/16', 2) }];
  for (let i = 1; i <= workers; i++) out.push({ name: `${cluster}-worker${i === 1 ? '' : i}`, role: 'worker', ip: nthAddress('172.18.0.0/16', 2 + i) });
  return out;
}

const hex = (n: number) => randomUUID().replace(/-/g, '').slice(0, n);

/** A Node as the kubelet registers it (status included: the API keeps a new node's status). */
export function kindNode(cluster: string, n: KindNodeSpec, info: NodeInfo, o: { capacity?: Record<string, string> } = {}): KubeObject {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': info.architecture,
    'beta.kubernetes.io/os': info.operatingSystem,
    'kubernetes.io/arch': info.architecture,
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': info.operatingSystem,
  };
  if (n.role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const capacity = o.capacity ?? {
    cpu: '8',
    'ephemeral-storage': '101203300Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: '32797304Ki',
    pods: '110',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      providerID: `kind://docker/${cluster}/${n.name}`,
      ...(n.role === 'control-plane' ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      capacity,
      allocatable: capacity,
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        ...info,
        bootID: randomUUID(),
        machineID: hex(32),
        systemUUID: randomUUID(),
      },
      features: { supplementalGroupsPolicy: true },
      runtimeHandlers: [
        { name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
        { name: 'test-handler', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
        { name: '', features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
      ],
    },
  };
}

export interface KindClusterInfo {
  /** kind cluster name: "kind", "lab" */
  cluster: string;
  kubernetesVersion: string;
  network: ClusterNetwork;
  controlPlane: KindNodeSpec;
  /** PEM of the cluster CA, for kube-public/cluster-info */
  caFile: string;
}

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** kubeadm's kubeadm-config and kube-public/cluster-info, and default/kubernetes endpoints at the control plane. */
export function kubeadmObjects(k: KindClusterInfo): KubeObject[] {
  const endpoint = `${k.cluster}-control-plane:6443`;
  const clusterConfiguration = {
    apiServer: { certSANs: ['localhost', '127.0.0.1'], extraArgs: [{ name: 'runtime-config', value: '' }] },
    apiVersion: 'kubeadm.k8s.io/v1beta4',
    caCertificateValidityPeriod: '87600h0m0s',
    certificateValidityPeriod: '8760h0m0s',
    certificatesDir: '/etc/kubernetes/pki',
    clusterName: k.cluster,
    controlPlaneEndpoint: endpoint,
    controllerManager: { extraArgs: [{ name: 'enable-hostpath-provisioner', value: 'true' }] },
    dns: {},
    encryptionAlgorithm: 'RSA-2048',
    etcd: { local: { dataDir: '/var/lib/etcd' } },
    imageRepository: 'registry.k8s.io',
    kind: 'ClusterConfiguration',
    kubernetesVersion: k.kubernetesVersion,
    networking: { dnsDomain: 'cluster.local', podSubnet: k.network.clusterCIDR, serviceSubnet: k.network.serviceCIDR },
    proxy: {},
    scheduler: {},
  };
  const clusterInfoKubeconfig = {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': Buffer.from(readFileSync(k.caFile)).toString('base64'), server: `https://${endpoint}` }, name: '' }],
    contexts: null,
    'current-context': '',
    kind: 'Config',
    preferences: {},
    users: null,
  };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config', namespace: 'kube-system' }, data: { ClusterConfiguration: stringify(clusterConfiguration) } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig: stringify(clusterInfoKubeconfig) } },
    // The apiserver's own endpoint reconciler is off (there is no reachable 172.18.0.x);
    // write what it would: Endpoints (not mirrored) and the EndpointSlice.
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: k.controlPlane.ip }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [k.controlPlane.ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
    },
  ];
}

/** Mirror pods of the control plane's static pods (etcd, apiserver, controller-manager, scheduler). */
export function controlPlaneMirrorPods(k: KindClusterInfo, nodeUid: string): KubeObject[] {
  const ip = k.controlPlane.ip;
  const node = k.controlPlane.name;
  const v = k.kubernetesVersion;
  const pod = (component: string, image: string, command: string[], extraAnnotations: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: {
        'kubernetes.io/config.hash': hex(32),
        'kubernetes.io/config.mirror': hex(32),
        'kubernetes.io/config.seen': new Date().toISOString(),
        'kubernetes.io/config.source': 'file',
        ...extraAnnotations,
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid, controller: true }],
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      priority: 2000001000,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
      containers: [{ name: component, image, imagePullPolicy: 'IfNotPresent', command }],
    },
  });
  const pki = '/etc/kubernetes/pki';
  return [
    pod('etcd', 'registry.k8s.io/etcd:3.6.4-0', [
      'etcd', `--advertise-client-urls=https://${ip}:2379`, `--cert-file=${pki}/etcd/server.crt`, '--client-cert-auth=true', '--data-dir=/var/lib/etcd',
      `--initial-advertise-peer-urls=https://${ip}:2380`, `--initial-cluster=${node}=https://${ip}:2380`, `--listen-client-urls=https://127.0.0.1:2379,https://${ip}:2379`,
      '--listen-metrics-urls=http://127.0.0.1:2381', `--listen-peer-urls=https://${ip}:2380`, `--name=${node}`, '--snapshot-count=10000',
    ], { 'kubeadm.kubernetes.io/etcd.advertise-client-urls': `https://${ip}:2379` }),
    pod('kube-apiserver', `registry.k8s.io/kube-apiserver:${v}`, [
      'kube-apiserver', `--advertise-address=${ip}`, '--allow-privileged=true', '--authorization-mode=Node,RBAC', `--client-ca-file=${pki}/ca.crt`,
      '--enable-admission-plugins=NodeRestriction', '--enable-bootstrap-token-auth=true', '--etcd-servers=https://127.0.0.1:2379', '--runtime-config=',
      '--secure-port=6443', '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${pki}/sa.pub`,
      `--service-account-signing-key-file=${pki}/sa.key`, `--service-cluster-ip-range=${k.network.serviceCIDR}`,
      `--tls-cert-file=${pki}/apiserver.crt`, `--tls-private-key-file=${pki}/apiserver.key`,
    ], { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` }),
    pod('kube-controller-manager', `registry.k8s.io/kube-controller-manager:${v}`, [
      'kube-controller-manager', '--allocate-node-cidrs=true', '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf', '--bind-address=127.0.0.1', `--client-ca-file=${pki}/ca.crt`,
      `--cluster-cidr=${k.network.clusterCIDR}`, `--cluster-name=${k.cluster}`, `--cluster-signing-cert-file=${pki}/ca.crt`,
      `--cluster-signing-key-file=${pki}/ca.key`, '--controllers=*,bootstrapsigner,tokencleaner', '--enable-hostpath-provisioner=true',
      '--kubeconfig=/etc/kubernetes/controller-manager.conf', '--leader-elect=true', `--root-ca-file=${pki}/ca.crt`,
      `--service-account-private-key-file=${pki}/sa.key`, `--service-cluster-ip-range=${k.network.serviceCIDR}`, '--use-service-account-credentials=true',
    ]),
    pod('kube-scheduler', `registry.k8s.io/kube-scheduler:${v}`, [
      'kube-scheduler', '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf', '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
      '--bind-address=127.0.0.1', '--kubeconfig=/etc/kubernetes/scheduler.conf', '--leader-elect=true',
    ]),
  ];
}

/** CoreDNS as kubeadm installs it: RBAC, Corefile, a 2-replica Deployment, the kube-dns Service at the 10th service IP. */
export function coreDNS(o: { dnsIP: string; replicas?: number; image?: string }): KubeObject[] {
  const corefile = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'system:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: {
        replicas: o.replicas ?? 2,
        selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-dns' } },
          spec: {
            priorityClassName: 'system-cluster-critical',
            serviceAccountName: 'coredns',
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] }, topologyKey: 'kubernetes.io/hostname' } },
                ],
              },
            },
            tolerations: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
            ],
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [
              {
                name: 'coredns',
                image: o.image ?? IMAGES.coredns,
                imagePullPolicy: 'IfNotPresent',
                resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
                args: ['-conf', '/etc/coredns/Corefile'],
                volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
                ports: [
                  { containerPort: 53, name: 'dns', protocol: 'UDP' },
                  { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                  { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
                ],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
                livenessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
                readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' } },
              },
            ],
            dnsPolicy: 'Default',
            volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        selector: { 'k8s-app': 'kube-dns' },
        clusterIP: o.dnsIP,
        clusterIPs: [o.dnsIP],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
  ];
}

/** kube-proxy as kubeadm deploys it (kind: mode iptables). */
export function kubeProxy(o: { kubernetesVersion: string; clusterCIDR: string; controlPlaneEndpoint: string; mode?: 'iptables' | 'ipvs' | 'nftables' }): KubeObject[] {
  // KubeProxyConfiguration as kubeadm serialises it (every field, zero values included), with kind's settings.
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    bindAddress: '0.0.0.0',
    bindAddressHardFail: false,
    clientConnection: { acceptContentTypes: '', burst: 0, contentType: '', kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf', qps: 0 },
    clusterCIDR: o.clusterCIDR,
    configSyncPeriod: '0s',
    conntrack: { maxPerCore: 0, min: null, tcpBeLiberal: false, tcpCloseWaitTimeout: null, tcpEstablishedTimeout: null, udpStreamTimeout: '0s', udpTimeout: '0s' },
    detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
    detectLocalMode: '',
    enableProfiling: false,
    healthzBindAddress: '',
    hostnameOverride: '',
    iptables: { localhostNodePorts: null, masqueradeAll: false, masqueradeBit: null, minSyncPeriod: '1s', syncPeriod: '0s' },
    ipvs: { excludeCIDRs: null, minSyncPeriod: '0s', scheduler: '', strictARP: false, syncPeriod: '0s', tcpFinTimeout: '0s', tcpTimeout: '0s', udpTimeout: '0s' },
    kind: 'KubeProxyConfiguration',
    logging: { flushFrequency: 0, options: { json: { infoBufferSize: '0' }, text: { infoBufferSize: '0' } }, verbosity: 0 },
    metricsBindAddress: '',
    mode: o.mode ?? 'iptables',
    nftables: { masqueradeAll: false, masqueradeBit: null, minSyncPeriod: '0s', syncPeriod: '0s' },
    nodePortAddresses: null,
    oomScoreAdj: null,
    portRange: '',
    showHiddenMetricsForVersion: '',
    winkernel: { enableDSR: false, forwardHealthCheckVip: false, networkName: '', rootHnsEndpointName: '', sourceVip: '' },
  };
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster: { 'certificate-authority': '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', server: `https://${o.controlPlaneEndpoint}` }, name: 'default' }],
    contexts: [{ context: { cluster: 'default', namespace: 'default', user: 'default' }, name: 'default' }],
    'current-context': 'default',
    users: [{ name: 'default', user: { tokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' } }],
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-proxy', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kubeadm:node-proxier' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kube-proxy'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'kube-proxy', namespace: 'kube-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kube-proxy' },
      subjects: [{ kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token', apiGroup: 'rbac.authorization.k8s.io' }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
      data: { 'config.conf': stringify(config), 'kubeconfig.conf': stringify(kubeconfig) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: { 'k8s-app': 'kube-proxy' } },
          spec: {
            priorityClassName: 'system-node-critical',
            hostNetwork: true,
            serviceAccountName: 'kube-proxy',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'kube-proxy',
                image: `registry.k8s.io/kube-proxy:${o.kubernetesVersion}`,
                imagePullPolicy: 'IfNotPresent',
                command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
                env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
                securityContext: { privileged: true },
                volumeMounts: [
                  { name: 'kube-proxy', mountPath: '/var/lib/kube-proxy' },
                  { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
                  { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'kube-proxy', configMap: { name: 'kube-proxy' } },
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
            ],
          },
        },
      },
    },
  ];
}

/** kind's default CNI. */
export function kindNet(o: { podSubnet: string }): KubeObject[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'kindnet' },
      rules: [
        { apiGroups: ['policy'], resources: ['podsecuritypolicies'], verbs: ['use'], resourceNames: ['kindnet'] },
        { apiGroups: [''], resources: ['nodes', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kindnet' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kindnet' },
      subjects: [{ kind: 'ServiceAccount', name: 'kindnet', namespace: 'kube-system' }],
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kindnet', namespace: 'kube-system' } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'kindnet', namespace: 'kube-system', labels: { tier: 'node', app: 'kindnet', 'k8s-app': 'kindnet' } },
      spec: {
        selector: { matchLabels: { app: 'kindnet' } },
        template: {
          metadata: { labels: { tier: 'node', app: 'kindnet', 'k8s-app': 'kindnet' } },
          spec: {
            hostNetwork: true,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [{ operator: 'Exists' }],
            priorityClassName: 'system-node-critical',
            serviceAccountName: 'kindnet',
            containers: [
              {
                name: 'kindnet-cni',
                image: IMAGES.kindnetd,
                env: [
                  { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
                  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                  { name: 'POD_SUBNET', value: o.podSubnet },
                ],
                volumeMounts: [
                  { name: 'cni-cfg', mountPath: '/etc/cni/net.d' },
                  { name: 'xtables-lock', mountPath: '/run/xtables.lock', readOnly: false },
                  { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
                  { name: 'nri-plugin', mountPath: '/var/run/nri' },
                ],
                resources: { requests: { cpu: '100m', memory: '50Mi' }, limits: { cpu: '100m', memory: '50Mi' } },
                securityContext: { privileged: false, capabilities: { add: ['NET_RAW', 'NET_ADMIN'] } },
              },
            ],
            volumes: [
              { name: 'cni-cfg', hostPath: { path: '/etc/cni/net.d' } },
              { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
              { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
              { name: 'nri-plugin', hostPath: { path: '/var/run/nri' } },
            ],
          },
        },
      },
    },
  ];
}

/** kind's default storage: local-path-provisioner and the default StorageClass "standard". */
export function localPathStorage(): KubeObject[] {
  const namespace = 'local-path-storage';
  const sa = 'local-path-provisioner-service-account';
  const config = {
    nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: ['/var/local-path-provisioner'] }],
  };
  return [
    ns(namespace),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'local-path-provisioner-role' },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'local-path-provisioner-bind' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'local-path-provisioner-role' },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'local-path-config', namespace },
      data: {
        'config.json': JSON.stringify(config, null, 2),
        'helperPod.yaml': stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'helper-pod' }, spec: { containers: [{ name: 'helper-pod', image: IMAGES.localPathHelper, imagePullPolicy: 'IfNotPresent' }], priorityClassName: 'system-node-critical', tolerations: [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }] } }),
        setup: '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n',
        teardown: '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n',
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'local-path-provisioner', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'local-path-provisioner' } },
        template: {
          metadata: { labels: { app: 'local-path-provisioner' } },
          spec: {
            serviceAccountName: sa,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [
              { key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', effect: 'NoSchedule' },
              { key: 'node-role.kubernetes.io/master', operator: 'Equal', effect: 'NoSchedule' },
            ],
            containers: [
              {
                name: 'local-path-provisioner',
                image: IMAGES.localPathProvisioner,
                imagePullPolicy: 'IfNotPresent',
                command: ['local-path-provisioner', '--debug', 'start', '--helper-image', IMAGES.localPathHelper, '--config', '/etc/config/config.json'],
                volumeMounts: [{ name: 'config-volume', mountPath: '/etc/config/' }],
                env: [
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'CONFIG_MOUNT_PATH', value: '/etc/config/' },
                ],
              },
            ],
            volumes: [{ name: 'config-volume', configMap: { name: 'local-path-config' } }],
          },
        },
      },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  ];
}

/** The nth address of a CIDR (10.96.0.0/16, 10 → 10.96.0.10). IPv4 only. */
export function nthAddress(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  const v = (base ?? '').split('.').reduce((a, o) => a * 256 + Number(o), 0) + n;
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
}

/**
 * Seeds a kind cluster's common base: nodes (as the kubelet registers them), kubeadm's
 * objects, mirror pods, CoreDNS and local-path storage. Returns the node specs.
 */
export async function seedKindBase(
  ctx: SeedContext,
  k: Omit<KindClusterInfo, 'controlPlane'> & { workers: number; nodeInfo: NodeInfo },
): Promise<{ nodes: KindNodeSpec[] }> {
  const nodes = kindNodeSpecs(k.cluster, k.workers);
  const info: KindClusterInfo = { ...k, controlPlane: nodes[0] as KindNodeSpec };
  ctx.log(`creating ${nodes.length} nodes`);
  // One after the other, each once it has its podCIDR, so they get 10.244.0.0/24, .1.0/24, …
  // in kind's order (the control plane first).
  for (const n of nodes) {
    await ctx.create([kindNode(k.cluster, n, k.nodeInfo)], { ignoreExists: true });
    await ctx.waitFor(`podCIDR of ${n.name}`, async () => ((await ctx.kube.get<NodeLike>('v1', 'Node', n.name))?.spec?.podCIDRs?.length ?? 0) > 0, { intervalMs: 50 });
  }
  await ctx.apply(kubeadmObjects(info));
  await waitServiceAccount(ctx, 'kube-system');
  const cp = await ctx.kube.get('v1', 'Node', info.controlPlane.name);
  await ctx.create(controlPlaneMirrorPods(info, String(cp?.metadata.uid)), { ignoreExists: true });
  await ctx.apply([...coreDNS({ dnsIP: nthAddress(k.network.serviceCIDR, 10) }), ...localPathStorage()]);
  return { nodes };
}
