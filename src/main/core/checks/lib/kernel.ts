import semver from 'semver';

/**
 * A parsed `uname -r`. Distribution release strings carry more than the upstream version:
 *   5.15.0-1052-azure, 6.8.0-1008-gke, 6.1.0-18-cloud-amd64   Ubuntu/Debian ABI names: the third
 *                                                            number is always 0, the real patch
 *                                                            level is only in `uname -v`
 *   4.18.0-513.el8.x86_64, 4.18.0-348.12.2.el8_5.x86_64      RHEL family (RHEL, CentOS, Rocky, Alma, OL RHCK)
 *   4.14.171-136.231.amzn2.x86_64, 5.15.146+, 5.19.3.arch1-1  upstream patch levels
 *   4.19+105+deb10u4~bpo9+1                                  a Debian package version (no patch level)
 */
export interface KernelRelease {
  raw: string;
  major: number;
  minor: number;
  /** null when the string does not carry the real patch level (see above). */
  patch: number | null;
  /** RHEL-family kernel: the RHEL major and, when it can be told, minor release. */
  rhel: { major: number; minor: number | null; minorFrom: 'suffix' | 'build' | null } | null;
}

/**
 * RHEL 8 GA kernel builds (4.18.0-<build>) per minor release, from Red Hat's
 * "Red Hat Enterprise Linux Release Dates" (https://access.redhat.com/articles/3078).
 * Used only when the release has no `el8_N` suffix. *Unverified here*: confirm before relying on it.
 */
const RHEL8_GA_BUILDS: readonly (readonly [minor: number, build: number])[] = [
  [0, 80], [1, 147], [2, 193], [3, 240], [4, 305], [5, 348], [6, 372], [7, 425], [8, 477], [9, 513], [10, 553],
];

const HEAD = /^(\d+)\.(\d+)(?:\.(\d+))?/;
/** Debian/Ubuntu ABI names: X.Y.0-<abi>[-flavour…] */
const ABI_NAME = /^\d+\.\d+\.0-\d+(?:-[a-z0-9]+)*$/;

export function parseKernelRelease(raw: string): KernelRelease | null {
  const s = raw.trim();
  const m = HEAD.exec(s);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  let patch: number | null = m[3] === undefined ? null : Number(m[3]);
  if (patch === 0 && ABI_NAME.test(s)) patch = null;

  let rhel: KernelRelease['rhel'] = null;
  const el = /\.el(\d+)(?:_(\d+))?(?:\.|$)/.exec(s);
  if (el) {
    const rmaj = Number(el[1]);
    let rmin: number | null = el[2] === undefined ? null : Number(el[2]);
    let from: 'suffix' | 'build' | null = rmin === null ? null : 'suffix';
    if (rmin === null && rmaj === 8 && major === 4 && minor === 18) {
      const build = Number(/^4\.18\.0-(\d+)/.exec(s)?.[1] ?? NaN);
      if (Number.isFinite(build)) {
        const hit = [...RHEL8_GA_BUILDS].reverse().find(([, b]) => build >= b);
        if (hit) {
          rmin = hit[0];
          from = 'build';
        }
      }
    }
    rhel = { major: rmaj, minor: rmin, minorFrom: from };
  }
  return { raw: s, major, minor, patch, rhel };
}

export function formatVersion(k: Pick<KernelRelease, 'major' | 'minor' | 'patch'>): string {
  return k.patch === null ? `${k.major}.${k.minor}` : `${k.major}.${k.minor}.${k.patch}`;
}

export type Comparison = 'older' | 'same-or-newer' | 'undecidable';

/**
 * Compares a release with a minimum `X.Y[.Z]`. When the release hides its patch level
 * and the minimum needs one on the same X.Y, the answer is undecidable.
 */
export function compareKernel(k: KernelRelease, minimum: string): Comparison {
  const min = semver.coerce(minimum);
  if (!min) throw new Error(`bad minimum kernel version ${minimum}`);
  if (k.major !== min.major) return k.major > min.major ? 'same-or-newer' : 'older';
  if (k.minor !== min.minor) return k.minor > min.minor ? 'same-or-newer' : 'older';
  if (min.patch === 0) return 'same-or-newer';
  if (k.patch === null) return 'undecidable';
  return k.patch >= min.patch ? 'same-or-newer' : 'older';
}
