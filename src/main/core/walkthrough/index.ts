export { WalkthroughService, createWalkthroughService, type StepRunner, type WalkthroughDeps, type WalkthroughEmit } from './engine';
export { walkthroughHandlers, type WalkthroughHandlers } from './handlers';
export { checkReferences, loadWalkthroughs, parseWalkthrough, stepRefs, type LoadResult, type LoadedWalkthrough } from './load';
export { validateParam, validateParams, ParamError } from './params';
export { evalWhen, renderManifest, resolveArg, type Scope } from './template';
export { builtinCommands, type BuiltinCommand } from './builtins';
export { evaluateExpect, getPath, parseJsonOutput, type CommandOutcome, type ExpectResult } from './verify';
export { rolloutState, podProblems, waitForWorkload, type WaitSpec, type WaitResult } from './wait';
export { ProgressStore } from './progress';
