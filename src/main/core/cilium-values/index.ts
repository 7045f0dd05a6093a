export { applyPatch, chartDefaults, kindLabDefaults, kprMode, parseCiliumValues, valueAt, type KprMode } from './model';
export { renderValuesYaml, toHelmValues, valuesFromYaml, type RenderOptions } from './render';
export { LINT_FACTS, RULES, lintValues, operatorSchedulableNodes, type LintContext } from './lint';
export { saveValuesFile } from './save';
