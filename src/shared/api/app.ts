import { z } from 'zod';
import { Empty } from './common';

export const AppInfoSchema = z.object({
  name: z.literal('datapath-lab'),
  version: z.string(),
  transport: z.enum(['electron', 'browser']),
  platform: z.string(),
  node: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const ToolPathsSchema = z.record(z.string(), z.string().max(4096));

export const SettingsSchema = z.object({
  /** User-set tool paths, e.g. { helm: "/opt/helm/helm" }. */
  toolPaths: ToolPathsSchema,
  selectedTargetId: z.string().nullable(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const appRequests = {
  'app.info': { params: Empty, result: AppInfoSchema },
  'settings.get': { params: Empty, result: SettingsSchema },
  'settings.update': { params: SettingsSchema.partial().strict(), result: SettingsSchema },
} as const;

export const appEvents = {
  'settings.changed': SettingsSchema,
} as const;
