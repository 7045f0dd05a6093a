import { formatJson } from './json';
import { formatJunit } from './junit';
import { formatSarif } from './sarif';
import { formatText } from './text';
import type { CheckRun } from './types';

export type OutputFormat = 'text' | 'json' | 'junit' | 'sarif';
export const OUTPUT_FORMATS: OutputFormat[] = ['text', 'json', 'junit', 'sarif'];

export function formatRun(run: CheckRun, format: OutputFormat, opts: { colour?: boolean; version: string; verbose?: boolean }): string {
  switch (format) {
    case 'json':
      return formatJson(run);
    case 'junit':
      return formatJunit(run);
    case 'sarif':
      return formatSarif(run, opts.version);
    case 'text':
      return formatText(run, { colour: opts.colour, verbose: opts.verbose });
  }
}
export type { CheckRun } from './types';
export { counts } from './types';
