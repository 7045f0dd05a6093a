import { describe, expect, it } from 'vitest';
import { toolErrorFix } from '../../../src/main/core/dataplane/tool-errors';

// The lines are what hubble v1.18.6 (built from Cilium's module) printed against the test control plane.
describe('toolErrorFix', () => {
  it('a missing Hubble Relay: enable it', () => {
    const out = 'failed to port forward: failed to get service "hubble-relay": services "hubble-relay" not found\n';
    expect(toolErrorFix('hubble', out)).toMatch(/^Hubble Relay is not deployed \(no Service hubble-relay\): .*hubble\.relay\.enabled=true/);
  });

  it('nothing on the Hubble address: port-forward', () => {
    const out = 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:4245: connect: connection refused"\n';
    expect(toolErrorFix('hubble', out)).toBe('Nothing serves Hubble at 127.0.0.1:4245: let the lab port-forward to Hubble Relay (--port-forward), or run `cilium hubble port-forward` first.');
  });

  it('only for the tool that printed it, and only for known failures', () => {
    expect(toolErrorFix('kubectl', 'services "hubble-relay" not found failed to get service "hubble-relay": services "hubble-relay" not found')).toBeNull();
    expect(toolErrorFix('hubble', 'failed to create k8s port forwader: context "nope" does not exist')).toBeNull();
  });
});
