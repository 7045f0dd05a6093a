import { statSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import semver from 'semver';
import type { Parameter } from '../../../shared/api/walkthrough';
import { LabError } from '../../../shared/errors';
import { parseCidr } from '../checks/lib/cidr';
import { kindLabDefaults, parseCiliumValues } from '../cilium-values/model';

/**
 * Parameter values, checked by their declared type before they reach a file or argv. Every
 * function returns the value to use or throws an error naming the parameter and the rule.
 */

const DNS1123_LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

export class ParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

const bad = (p: Parameter, rule: string): never => {
  throw new ParamError(p.name, `${p.title} (${p.name}): ${rule}`);
};

/** The default of a parameter, or undefined when it has none. */
export function defaultOf(p: Parameter): unknown {
  if (p.type === 'cilium-values') return kindLabDefaults();
  if (p.type === 'file') return undefined;
  return p.default;
}

/** Validates one value (already known to be given). */
export function validateParam(p: Parameter, raw: unknown): unknown {
  switch (p.type) {
    case 'string': {
      if (typeof raw !== 'string') return bad(p, 'must be text');
      if (raw.includes('\0') || /[\r\n]/.test(raw)) return bad(p, 'must be one line');
      if (p.minLength !== undefined && raw.length < p.minLength) return bad(p, `must have at least ${p.minLength} characters`);
      if (raw.length > (p.maxLength ?? 253)) return bad(p, `must have at most ${p.maxLength ?? 253} characters`);
      if (p.enum && !p.enum.includes(raw)) return bad(p, `must be one of ${p.enum.join(', ')}`);
      if (p.pattern && !new RegExp(`^(?:${p.pattern})$`).test(raw)) return bad(p, `must be ${p.patternHint ?? `text matching ${p.pattern}`}`);
      return raw;
    }
    case 'integer': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n)) return bad(p, 'must be a whole number');
      if (n < p.min || n > p.max) return bad(p, `must be from ${p.min} to ${p.max}`);
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return bad(p, 'must be true or false');
    }
    case 'namespace': {
      if (typeof raw !== 'string' || raw.length > 63 || !DNS1123_LABEL.test(raw)) return bad(p, 'must be a namespace name: 1–63 lower-case letters, digits or "-", starting and ending with a letter or digit');
      return raw;
    }
    case 'cidr': {
      const c = typeof raw === 'string' ? parseCidr(raw) : null;
      if (!c) return bad(p, 'must be a CIDR such as 10.244.0.0/16');
      if (p.family === 'ipv4' && c.family !== 4) return bad(p, 'must be an IPv4 CIDR');
      if (p.family === 'ipv6' && c.family !== 6) return bad(p, 'must be an IPv6 CIDR');
      return (raw as string).trim();
    }
    case 'version': {
      const m = typeof raw === 'string' ? VERSION.exec(raw.trim()) : null;
      if (!m) return bad(p, 'must be a release version such as 1.18.6');
      const v = (raw as string).trim().replace(/^v/, '');
      if (p.min && semver.lt(v, semver.coerce(p.min)?.version ?? p.min, { includePrerelease: true } as semver.RangeOptions)) return bad(p, `must be ${p.min} or later`);
      return v;
    }
    case 'file': {
      if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096 || raw.includes('\0')) return bad(p, 'must be a path');
      if (!isAbsolute(raw)) return bad(p, `must be an absolute path (got "${raw}")`);
      const path = normalize(raw);
      let st;
      try {
        st = statSync(path);
      } catch {
        return bad(p, `${path} does not exist`);
      }
      const isDir = st.isDirectory();
      if (p.accept === 'file' && !st.isFile()) return bad(p, `${path} is not a file`);
      if (p.accept === 'directory' && !isDir) return bad(p, `${path} is not a folder`);
      if (!isDir && p.extensions?.length && !p.extensions.some((e) => path.toLowerCase().endsWith(e.toLowerCase()))) return bad(p, `${path} must end in ${p.extensions.join(' or ')}`);
      return path;
    }
    case 'cilium-values': {
      try {
        return parseCiliumValues(raw);
      } catch (err) {
        return bad(p, (err as Error).message.replace(/^Invalid Cilium values: /, ''));
      }
    }
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/**
 * Validates the parameters a step uses: given values checked, defaults filled in; a parameter
 * without a value and without a default is an error unless `optional`. All errors are
 * reported together.
 */
export function validateParams(defs: readonly Parameter[], names: Iterable<string>, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const name of new Set(names)) {
    const p = defs.find((d) => d.name === name);
    if (!p) {
      errors.push(`${name}: not a parameter of this walkthrough`);
      continue;
    }
    const raw = isEmpty(given[name]) ? defaultOf(p) : given[name];
    if (isEmpty(raw)) {
      if (!p.optional) errors.push(`${p.title} (${p.name}): required`);
      continue;
    }
    try {
      out[name] = validateParam(p, raw);
    } catch (err) {
      if (err instanceof ParamError) errors.push(err.message);
      else throw err;
    }
  }
  if (errors.length) throw new LabError('INVALID_REQUEST', `Invalid parameters: ${errors.join('; ')}`, 'Correct the fields named here and plan the step again.');
  return out;
}
