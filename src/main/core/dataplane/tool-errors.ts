/**
 * What a failed tool's own words mean, and what to do. Each pattern is what the real tool
 * printed here (hubble v1.18.6 built from Cilium's module, against the test control plane).
 */
interface KnownError {
  tool: string;
  pattern: RegExp;
  fix: (m: RegExpMatchArray) => string;
}

const KNOWN: KnownError[] = [
  {
    tool: 'hubble',
    pattern: /failed to get service "([^"]+)": services "[^"]+" not found/,
    fix: (m) =>
      `Hubble Relay is not deployed (no Service ${m[1]}): enable it — Helm values hubble.enabled=true and hubble.relay.enabled=true (or \`cilium hubble enable\`) — wait for the hubble-relay Deployment, then run again.`,
  },
  {
    tool: 'hubble',
    pattern: /dial tcp ([\d.:[\]a-f]+): connect: connection refused/,
    fix: (m) => `Nothing serves Hubble at ${m[1]}: let the lab port-forward to Hubble Relay (--port-forward), or run \`cilium hubble port-forward\` first.`,
  },
];

/** A fix for a tool's failure output when it is a known one, else null. */
export function toolErrorFix(tool: string, output: string): string | null {
  for (const k of KNOWN) {
    if (k.tool !== tool) continue;
    const m = output.match(k.pattern);
    if (m) return k.fix(m);
  }
  return null;
}
