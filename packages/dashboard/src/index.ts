/**
 * @pipewright/dashboard: the web dashboard of Pipewright runs, as a request handler to mount in
 * your own service (`createDashboard`) or a server of its own (`serveDashboard`, what
 * `pipewright dashboard` runs). Everything it shows is served from this package.
 */
export { createDashboard } from './create-dashboard';
export type { DashboardHandler, DashboardOptions, NextFunction } from './create-dashboard';
export { serveDashboard, DEFAULT_HOST, DEFAULT_PORT } from './serve-dashboard';
export type { DashboardServer, ServeDashboardOptions } from './serve-dashboard';
export type { DashboardEngine, DashboardForkOptions } from './dashboard-engine';
export type { ActionHooks, StartedRun } from './api/actions';
export { DashboardError } from './errors';
export type { DashboardErrorCode } from './errors';
export type { GraphNode, NodeKind, RunActions, RunPage, RunRow, RunView } from './view-model';
