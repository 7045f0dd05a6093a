export type { ParseProblem, SubsystemStatus, Verdict } from './types';
export {
  parseCiliumStatusJson,
  parseCiliumStatusText,
  type CiliumStatusSummary,
  type ComponentKey,
  type ComponentStatus,
  type ContainerPhases,
  type ImageCount,
  type StatusMessage,
  type WorkloadIssues,
  type WorkloadState,
} from './cilium-status';
export {
  normaliseKprMode,
  parseAgentStatusJson,
  parseAgentStatusText,
  type AgentStatusSummary,
  type ControllerFailure,
  type IpamPool,
  type IpamStatus,
  type KprDevice,
  type KprMode,
  type KubeProxyReplacementStatus,
  type MasqueradingStatus,
  type RoutingStatus,
} from './agent-status';
export { parseServiceAddress, parseServiceList, type ServiceAddress, type ServiceBackend, type ServiceListResult, type ServiceRow } from './service-list';
export { parseHubbleFlows, type FlowEndpointView, type FlowL4, type FlowL7, type FlowRow, type FlowVerdict, type HubbleFlowsResult } from './hubble';
export * from './commands';
export { toolErrorFix } from './tool-errors';
