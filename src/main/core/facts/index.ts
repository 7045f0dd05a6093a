export * from './types';
export * from './kernel-config';
export * from './from-k8s';
export * from './factset';
export * from './from-objects';
