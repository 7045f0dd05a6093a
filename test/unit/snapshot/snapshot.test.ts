import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeSnapshot, parseSnapshot, readSnapshot, writeSnapshot, SNAPSHOT_VERSION } from '../../../src/main/core/snapshot/snapshot';
import { redactObjects, redactText } from '../../../src/main/core/redact/redact';
import { runChecks } from '../../../src/main/core/checks';
import { known } from '../../../src/shared/facts';
import type { FactSet } from '../../../src/main/core/facts';
import { LabError } from '../../../src/shared/errors';

const target = { kind: 'cluster' as const, name: 'kind-lab', context: 'kind-lab', server: 'https://127.0.0.1:6443', serverVersion: 'v1.34.4' };
const facts: FactSet = {
  'k8s.version': known({ gitVersion: 'v1.34.4' }, '/version'),
  'cilium.config': known({ namespace: 'kube-system', data: { 'kube-proxy-replacement': 'true', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', ipam: 'kubernetes' } }, 'ConfigMap kube-system/cilium-config'),
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ3\n-----END CERTIFICATE-----';
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2lnbmF0dXJlc2lnbmF0dXJl';

function caught(fn: () => unknown): LabError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
  throw new Error('expected a LabError');
}

describe('snapshots', () => {
  it('round-trip (plain and gzip) with the same findings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-snap-'));
    const s = makeSnapshot(target, facts, { configmaps: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { ipam: 'kubernetes' } }] });
    for (const name of ['snap.json', 'snap.json.gz']) {
      writeSnapshot(join(dir, name), s);
      const back = readSnapshot(join(dir, name));
      expect(back.target).toEqual(target);
      expect(back.version).toBe(SNAPSHOT_VERSION);
      expect(runChecks(back.facts)).toEqual(runChecks(s.facts));
    }
    expect(readFileSync(join(dir, 'snap.json.gz'))[0]).toBe(0x1f);
  });

  it.each([
    ['not JSON', Buffer.from('{"format": "datapath-lab/snapshot", "ver'), /not JSON .*cut short/],
    ['a Kubernetes object', Buffer.from('{"apiVersion":"v1","kind":"ConfigMap"}'), /not a Datapath Lab snapshot \(it looks like a Kubernetes ConfigMap\)/],
    ['from a newer lab', Buffer.from(JSON.stringify({ format: 'datapath-lab/snapshot', version: 99 })), /made by a newer Datapath Lab \(snapshot version 99/],
    ['too old', Buffer.from(JSON.stringify({ format: 'datapath-lab/snapshot', version: 0 })), /older than any this Datapath Lab reads/],
    ['damaged envelope', Buffer.from(JSON.stringify({ format: 'datapath-lab/snapshot', version: 1, createdAt: 'x', createdBy: 'y', target: { kind: 'moon' }, facts: {}, raw: {} })), /damaged: target\.kind/],
    ['foreign facts', Buffer.from(JSON.stringify({ format: 'datapath-lab/snapshot', version: 1, createdAt: 'x', createdBy: 'y', target, facts: { 'k8s.version': { state: 'known' } }, raw: {} })), /facts this Datapath Lab cannot read/],
    ['truncated gzip', gzipSync(Buffer.from('{"format":"datapath-lab/snapshot"}')).subarray(0, 12), /gzip file that is corrupt or cut short/],
    ['empty', Buffer.alloc(0), /not JSON/],
  ])('a snapshot that is %s gets a clear error', (_n, bytes, message) => {
    const err = caught(() => parseSnapshot(bytes, 'x.json'));
    expect(err.code).toBe('SNAPSHOT_INVALID');
    expect(err.message).toMatch(message);
    expect(err.fix).toBeTruthy();
  });

  it('a missing file is NOT_FOUND', () => {
    expect(caught(() => readSnapshot('/nonexistent/snap.json')).code).toBe('NOT_FOUND');
  });
});

describe('redaction', () => {
  it('drops Secrets, managedFields, last-applied configs and secret-named fields', () => {
    const objs = redactObjects([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cilium-ca' }, data: { 'ca.key': 'c2VjcmV0' } },
      {
        apiVersion: 'apps/v1', kind: 'DaemonSet',
        metadata: { name: 'cilium', managedFields: [{ manager: 'helm' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"token":"${JWT}"}`, 'deprecated.daemonset.template.generation': '1' } },
        spec: { template: { spec: { containers: [{ name: 'cilium-agent', env: [{ name: 'KUBERNETES_SERVICE_HOST', value: 'lab-control-plane' }, { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG' }, { name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] } } },
      },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'ca.crt': PEM, token: 'abc123def456', note: `Authorization: Bearer ${JWT}` } },
    ]) as Record<string, unknown>[];
    expect(objs).toHaveLength(2);
    const text = JSON.stringify(objs);
    expect(text).not.toContain('managedFields');
    expect(text).not.toContain('last-applied');
    expect(text).not.toContain('wJalrXUtnFEMI');
    expect(text).not.toContain('BEGIN CERTIFICATE');
    expect(text).not.toContain('eyJhbGci');
    expect(text).not.toContain('abc123def456');
    expect(text).toContain('lab-control-plane');
    expect(text).toContain('secretKeyRef');
    expect(text).toContain('deprecated.daemonset.template.generation');
  });

  it('redacts keys, tokens and certificates inside any text', () => {
    const t = redactText(`client-key-data: ${Buffer.from(PEM).toString('base64')}\nBearer abcdefghijklmnop\nAKIAIOSFODNN7EXAMPLE\nkubeadm join --token abcdef.0123456789abcdef`);
    expect(t).not.toMatch(/LS0tLS1CRUdJT|abcdefghijklmnop|AKIAIOSFODNN7EXAMPLE|0123456789abcdef/);
  });

  it('a snapshot file never holds a secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlab-snap-'));
    const f: FactSet = { ...facts, 'k8s.workloads': known([{ kind: 'DaemonSet', namespace: 'kube-system', name: 'cilium', labels: {}, images: [], initImages: [], desired: 1, ready: 1, available: 1, updated: 1, env: { KUBERNETES_SERVICE_HOST: 'x', KUBERNETES_SERVICE_PORT: '6443' } }], 'api') };
    writeSnapshot(join(dir, 's.json'), makeSnapshot(target, f, { secrets: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, data: { k: 'dG9rZW4=' } }], notes: [{ text: PEM }] }));
    const text = readFileSync(join(dir, 's.json'), 'utf8');
    expect(text).not.toContain('dG9rZW4=');
    expect(text).not.toContain('BEGIN CERTIFICATE');
  });
});
