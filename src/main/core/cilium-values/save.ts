import { statSync } from 'node:fs';
import { dirname, extname, isAbsolute } from 'node:path';
import type { CiliumValues } from '../../../shared/api/walkthrough';
import { LabError } from '../../../shared/errors';
import { renderValuesYaml, type RenderOptions } from './render';
import { writeFileAtomic } from '../storage/files';

/**
 * Writes the values file where the user chose: an absolute path ending in .yaml or .yml whose
 * folder exists. Written to a temporary name first, then renamed, so a half-written file
 * never replaces a good one.
 */
export function saveValuesFile(path: string, values: CiliumValues, o: RenderOptions = {}): { path: string; bytes: number } {
  if (!isAbsolute(path)) throw new LabError('INVALID_REQUEST', `"${path}" is not an absolute path`, 'Choose where to save the file with the file dialog.');
  const ext = extname(path).toLowerCase();
  if (ext !== '.yaml' && ext !== '.yml') throw new LabError('INVALID_REQUEST', `"${path}" does not end in .yaml or .yml`, 'Helm values files are YAML: name it e.g. cilium-values.yaml.');
  let dirOk: boolean;
  try {
    dirOk = statSync(dirname(path)).isDirectory();
  } catch {
    dirOk = false;
  }
  if (!dirOk) throw new LabError('NOT_FOUND', `the folder ${dirname(path)} does not exist`, 'Choose an existing folder.');
  try {
    if (statSync(path).isDirectory()) throw new LabError('INVALID_REQUEST', `${path} is a folder`, 'Choose a file name.');
  } catch (err) {
    if (err instanceof LabError) throw err;
  }
  const text = renderValuesYaml(values, o);
  writeFileAtomic(path, text);
  return { path, bytes: Buffer.byteLength(text) };
}
