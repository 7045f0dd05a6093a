import { useEffect, useState } from 'react';
import { lab } from '../../lab';
import { LabError } from '../../../../shared/errors';
import type { CiliumValues } from '../../../../shared/api';
import { useWalkthroughStore } from '../../stores/walkthrough';

/** The Cilium Helm values as a form, its YAML, and the linter's findings with one-click fixes. */
export function ValuesEditor({ walkthroughId, name, targetId }: { walkthroughId: string; name: string; targetId: string }) {
  const values = useWalkthroughStore((s) => s.params[walkthroughId]?.[name] as CiliumValues | undefined);
  const rendered = useWalkthroughStore((s) => s.values);
  const { setParam, renderValues, applyPatch } = useWalkthroughStore.getState();
  const [savePath, setSavePath] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const save = async () => {
    try {
      const r = await lab().call('ciliumValues.save', { values: values!, path: savePath });
      setSaved(`Saved ${r.path} (${r.bytes} bytes).`);
    } catch (err) {
      setSaved(err instanceof LabError ? `${err.message}${err.fix ? ` ${err.fix}` : ''}` : String(err));
    }
  };
  useEffect(() => {
    const t = setTimeout(() => void renderValues(walkthroughId, targetId), 250);
    return () => clearTimeout(t);
  }, [values, walkthroughId, targetId, renderValues]);
  if (!values) return null;
  const set = (patch: Partial<CiliumValues>) => setParam(walkthroughId, name, { ...values, ...patch });
  const num = (v: string) => (v === '' ? undefined : Number(v));
  return (
    <div className="values-editor">
      <fieldset>
        <legend>Cilium values</legend>
        <label>
          kubeProxyReplacement{' '}
          <select value={String(values.kubeProxyReplacement)} onChange={(e) => set({ kubeProxyReplacement: e.target.value === 'true' ? true : e.target.value === 'false' ? false : (e.target.value as never) })}>
            {['true', 'false', 'strict', 'partial', 'probe', 'disabled'].map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          k8sServiceHost <input value={values.k8sServiceHost ?? ''} onChange={(e) => set({ k8sServiceHost: e.target.value || undefined })} />
        </label>
        <label>
          k8sServicePort <input type="number" value={values.k8sServicePort ?? ''} onChange={(e) => set({ k8sServicePort: num(e.target.value) })} />
        </label>
        <label>
          routingMode{' '}
          <select value={values.routingMode} onChange={(e) => set({ routingMode: e.target.value as 'tunnel' | 'native' })}>
            <option>tunnel</option>
            <option>native</option>
          </select>
        </label>
        <label>
          tunnelProtocol{' '}
          <select value={values.tunnelProtocol ?? ''} onChange={(e) => set({ tunnelProtocol: (e.target.value || undefined) as 'vxlan' | undefined })}>
            <option value="">chart default</option>
            <option>vxlan</option>
            <option>geneve</option>
          </select>
        </label>
        <label>
          ipv4NativeRoutingCIDR <input value={values.ipv4NativeRoutingCIDR ?? ''} onChange={(e) => set({ ipv4NativeRoutingCIDR: e.target.value || undefined })} />
        </label>
        <label>
          MTU <input type="number" value={values.MTU ?? ''} onChange={(e) => set({ MTU: num(e.target.value) })} />
        </label>
        <label>
          <input type="checkbox" checked={values.bpf.masquerade} onChange={(e) => set({ bpf: { ...values.bpf, masquerade: e.target.checked } })} /> bpf.masquerade
        </label>
        <label>
          bpf.datapathMode{' '}
          <select value={values.bpf.datapathMode} onChange={(e) => set({ bpf: { ...values.bpf, datapathMode: e.target.value as 'veth' } })}>
            <option>veth</option>
            <option>netkit</option>
            <option>netkit-l2</option>
          </select>
        </label>
        <label>
          ipam.mode{' '}
          <select value={values.ipam.mode} onChange={(e) => set({ ipam: { ...values.ipam, mode: e.target.value as 'kubernetes' } })}>
            {['kubernetes', 'cluster-pool', 'multi-pool', 'eni', 'azure', 'crd'].map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          cluster-pool CIDRs{' '}
          <input
            value={(values.ipam.operator?.clusterPoolIPv4PodCIDRList ?? []).join(' ')}
            placeholder="e.g. 10.0.0.0/8"
            onChange={(e) => set({ ipam: { ...values.ipam, operator: { ...values.ipam.operator, clusterPoolIPv4PodCIDRList: e.target.value ? e.target.value.split(/[\s,]+/).filter(Boolean) : undefined } } })}
          />
        </label>
        <label>
          <input type="checkbox" checked={values.hubble.relay.enabled} onChange={(e) => set({ hubble: { ...values.hubble, relay: { enabled: e.target.checked } } })} /> Hubble relay
        </label>
        <label>
          <input type="checkbox" checked={values.hubble.ui.enabled} onChange={(e) => set({ hubble: { ...values.hubble, ui: { enabled: e.target.checked } } })} /> Hubble UI
        </label>
        <label>
          operator.replicas <input type="number" min={0} max={10} value={values.operator.replicas} onChange={(e) => set({ operator: { ...values.operator, replicas: Number(e.target.value) } })} />
        </label>
        <label>
          operator CPU request{' '}
          <input
            value={values.operator.resources?.requests?.cpu ?? ''}
            placeholder="100m"
            onChange={(e) => set({ operator: { ...values.operator, resources: { ...values.operator.resources, requests: { ...values.operator.resources?.requests, cpu: e.target.value || undefined } } } })}
          />
        </label>
        <label>
          operator memory request{' '}
          <input
            value={values.operator.resources?.requests?.memory ?? ''}
            placeholder="128Mi"
            onChange={(e) => set({ operator: { ...values.operator, resources: { ...values.operator.resources, requests: { ...values.operator.resources?.requests, memory: e.target.value || undefined } } } })}
          />
        </label>
      </fieldset>
      {rendered && (
        <>
          <ul className="values-lint" aria-label="Values linter">
            {rendered.findings.length === 0 && <li className="ok">The values pass the linter.</li>}
            {rendered.findings.map((f) => (
              <li key={`${f.rule}-${f.field}`} className={f.severity}>
                <strong>{f.field}</strong>: {f.message} <span className="fix-text">Fix: {f.fix}</span>
                {f.patch && (
                  <button type="button" onClick={() => applyPatch(walkthroughId, f.patch!, targetId)}>
                    Apply fix
                  </button>
                )}
              </li>
            ))}
          </ul>
          <details>
            <summary>values.yaml</summary>
            <pre aria-label="values.yaml">{rendered.yaml}</pre>
            <form
              className="save-values"
              onSubmit={(e) => {
                e.preventDefault();
                void save();
              }}
            >
              <label>
                Save as <input value={savePath} placeholder="/home/me/cilium-values.yaml" onChange={(e) => setSavePath(e.target.value)} />
              </label>
              <button type="submit" disabled={!savePath}>Save values file</button>
              {saved && <span className="muted"> {saved}</span>}
            </form>
          </details>
        </>
      )}
    </div>
  );
}
