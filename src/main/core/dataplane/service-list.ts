/**
 * `cilium-dbg service list` (and the agent's `cilium service list|get`) → rows.
 *
 *   ID   Frontend             Service Type   Backend
 *   1    10.96.0.1:443/TCP    ClusterIP      1 => 172.19.0.2:6443/TCP (active)
 *                                            2 => 172.19.0.3:6443/TCP (active)
 *
 * Columns are read by token, not by header offset (pasted and documented
 * outputs are often misaligned). Older agents print no "/TCP" and no backend
 * state; a frontend-keyed variant prints no ID column.
 */
import type { ParseProblem } from './types';
import { isNoise, problem, splitLines } from './text';

export interface ServiceAddress {
  /** As printed. */
  raw: string;
  ip: string;
  port: number | null;
  protocol: string | null;
}

export interface ServiceBackend extends ServiceAddress {
  index: number;
  /** active, terminating, quarantined, maintenance — null when not printed (old agents). */
  state: string | null;
}

export interface ServiceRow {
  id: number | null;
  frontend: ServiceAddress;
  type: string;
  backends: ServiceBackend[];
}

export interface ServiceListResult {
  rows: ServiceRow[];
  problems: ParseProblem[];
}

/** "10.96.0.1:443/TCP", "[fd00::1]:80", "0.0.0.0:32449", "10.0.0.2:80:TCP" */
export function parseServiceAddress(raw: string): ServiceAddress | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3}))(?::(\d{1,5}))?(?:[/:]([A-Za-z]+))?(?:\/[a-z])?$/.exec(raw);
  if (!m) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  return { raw, ip: (m[1] ?? m[2])!, port, protocol: m[4]?.toUpperCase() ?? null };
}

const BACKEND = /^(\d+)\s*=>\s*(\S+)(?:\s+\(([^)]*)\))?\s*$/;

function parseBackend(text: string): ServiceBackend | null {
  const m = BACKEND.exec(text.trim());
  if (!m) return null;
  const addr = parseServiceAddress(m[2]!);
  if (!addr) return null;
  // "(3043)" after an address is the old `service get` revNAT id, not a state.
  const state = m[3] !== undefined && !/^\d+$/.test(m[3]) ? m[3] : null;
  return { ...addr, index: Number(m[1]), state };
}

/** Parses the service list text. Never throws. */
export function parseServiceList(text: string): ServiceListResult {
  const rows: ServiceRow[] = [];
  const problems: ParseProblem[] = [];
  const lines = splitLines(text);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === '' || isNoise(raw)) return;
    if (/^(?:ID\s+)?Frontend\s+Service Type\s+Backend/.test(line)) return;

    const backendOnly = BACKEND.test(line);
    if (backendOnly) {
      const b = parseBackend(line);
      const last = rows[rows.length - 1];
      if (b && last) last.backends.push(b);
      else problems.push(problem(n, raw, last ? 'unrecognised backend' : 'backend without a service row'));
      return;
    }

    const m = /^(?:(\d+)\s+)?(\S+)\s+([A-Za-z][\w-]*)\s*(.*)$/.exec(line);
    const frontend = m ? parseServiceAddress(m[2]!) : null;
    if (!m || !frontend) {
      problems.push(problem(n, raw, 'unrecognised line'));
      return;
    }
    const row: ServiceRow = { id: m[1] === undefined ? null : Number(m[1]), frontend, type: m[3]!, backends: [] };
    const rest = m[4]!.trim();
    if (rest) {
      const b = parseBackend(rest);
      if (b) row.backends.push(b);
      else problems.push(problem(n, raw, 'unrecognised backend'));
    }
    rows.push(row);
  });
  if (lines.length === 0) problems.push(problem(0, '', 'empty input'));
  return { rows, problems };
}
